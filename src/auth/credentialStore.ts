/**
 * What the accounts routes do with users: check a login, change a password, create a user with a
 * temporary password. HTTP-free, so the rules read in one place.
 */
import type { Knex } from 'knex';
import { raw, UniqueViolationError } from 'objection';
import { AuthenticationError, ConflictError, MESSAGES, ValidationError } from '../errors';
import { Organization, User, type UserRole } from '../models';
import { isOrganizationActive } from '../organizations/status';
import { newPasswordProblems } from './passwordPolicy';
import {
  generateTemporaryPassword,
  hashNeedsUpgrade,
  hashPassword,
  verifyAgainstDummyHash,
  verifyPassword,
} from './passwords';
import { revokeAllRefreshTokensOf } from './refreshTokenStore';

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

async function findUserByEmail(knex: Knex, email: string): Promise<User | undefined> {
  return User.query(knex)
    .whereRaw('lower(email) = ?', [normalizeEmail(email)])
    .first();
}

export type CredentialsCheck = { user: User } | { refused: 'invalid_credentials' | 'organization_inactive' };

/**
 * The active user these credentials belong to, or why not. Unknown email, wrong password and inactive
 * account all take about as long and end the same way, so none can be told from the others. Only the right
 * password of an active user learns that their organization is deactivated: it discloses nothing to a guesser.
 */
export async function checkCredentials(knex: Knex, email: string, password: string): Promise<CredentialsCheck> {
  const user = await findUserByEmail(knex, email);
  if (!user) {
    await verifyAgainstDummyHash(password);
    return { refused: 'invalid_credentials' };
  }
  const passwordMatches = await verifyPassword(user.password_hash, password);
  if (!passwordMatches || !user.is_active) return { refused: 'invalid_credentials' };
  if (!(await isOrganizationActive(knex, user.organization_id))) return { refused: 'organization_inactive' };

  const changes: Partial<User> = { last_login: new Date() };
  if (hashNeedsUpgrade(user.password_hash)) changes.password_hash = await hashPassword(password);
  await User.query(knex).patch(changes).where('id', user.id);
  return { user };
}

export interface ChangePasswordHooks {
  /**
   * Called once the current password proved right, before the new one is judged: the route gives back the
   * rate-limiter attempt it reserved, so that only wrong current passwords (guesses) count.
   */
  currentPasswordVerified?: () => Promise<void>;
  /** Called before a wrong current password is answered; may throw its own answer instead (the limiter's 429). */
  currentPasswordWrong?: () => void;
}

/** Sets a new password, clears must_change_password and ends every session of the user; answers the updated user. */
export async function changePassword(
  knex: Knex,
  userId: number,
  oldPassword: string,
  newPassword: string,
  hooks: ChangePasswordHooks = {},
): Promise<User> {
  const user = await User.query(knex).findById(userId);
  if (!user || !user.is_active) throw new AuthenticationError('not_authenticated', MESSAGES.notAuthenticated);
  if (!(await verifyPassword(user.password_hash, oldPassword))) {
    hooks.currentPasswordWrong?.();
    const wrong = { fr: 'Le mot de passe actuel est incorrect.', en: 'The current password is wrong.' };
    throw new ValidationError('validation_error', wrong, { old_password: [wrong] });
  }
  await hooks.currentPasswordVerified?.();
  const problems = newPasswordProblems({ newPassword, oldPassword, email: user.email });
  if (problems.length > 0) {
    throw new ValidationError(
      'validation_error',
      { fr: "Le nouveau mot de passe n'est pas acceptable.", en: 'The new password is not acceptable.' },
      { new_password: problems },
    );
  }

  const passwordHash = await hashPassword(newPassword);
  await knex.transaction(async (trx) => {
    await User.query(trx)
      .patch({
        password_hash: passwordHash,
        must_change_password: false,
        session_version: raw('session_version + 1'),
        updated_at: new Date(),
      })
      .where('id', user.id);
    await revokeAllRefreshTokensOf(trx, user.id);
  });
  return User.query(knex).findById(user.id).throwIfNotFound();
}

export interface NewUser {
  email: string;
  firstName: string;
  lastName: string;
  role: UserRole;
  organizationId: number;
  phoneNumber: string | null;
  isStaff: boolean;
}

/** Creates the user with a random temporary password they must change at first login; in `knex`'s transaction if one. */
export async function createUserWithTemporaryPassword(
  knex: Knex,
  input: NewUser,
): Promise<{ user: User; organization: Organization; temporaryPassword: string }> {
  const organization = await Organization.query(knex).findById(input.organizationId);
  if (!organization) {
    throw new ValidationError('validation_error', MESSAGES.invalidInput, {
      organization_id: [{ fr: "Aucune organisation n'a cet identifiant.", en: 'No organization has this id.' }],
    });
  }
  if (await findUserByEmail(knex, input.email)) throw emailTaken();

  const temporaryPassword = generateTemporaryPassword();
  try {
    const user = await User.query(knex).insertAndFetch({
      email: input.email.trim(),
      first_name: input.firstName,
      last_name: input.lastName,
      role: input.role,
      is_staff: input.isStaff,
      organization_id: organization.id,
      phone_number: input.phoneNumber,
      password_hash: await hashPassword(temporaryPassword),
      must_change_password: true,
      is_active: true,
    });
    return { user, organization, temporaryPassword };
  } catch (error) {
    // Two admins creating the same email at once: the unique index decides.
    if (error instanceof UniqueViolationError) throw emailTaken();
    throw error;
  }
}

function emailTaken(): ConflictError {
  const taken = {
    fr: 'Un utilisateur avec cette adresse e-mail existe déjà.',
    en: 'A user with this email already exists.',
  };
  return new ConflictError('email_taken', taken, { email: [taken] });
}
