/**
 * What staff change on users: create, update, deactivate, reactivate, reset the password. Each change and its
 * audit record (before / after, the request id) are one transaction. Deactivating and resetting end every session
 * of the user at once: session_version moves on (access tokens carry it, src/api/middleware/authenticate.ts) and
 * every refresh token is revoked, so reactivating later does not revive a session opened before.
 */
import type { Knex } from 'knex';
import { raw } from 'objection';
import { createUserWithTemporaryPassword, type NewUser } from '../auth/credentialStore';
import { generateTemporaryPassword, hashPassword } from '../auth/passwords';
import { revokeAllRefreshTokensOf } from '../auth/refreshTokenStore';
import { type AuditContext, type AuditKind, type AuditValues, recordAudit } from '../audit/auditLog';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import { ConflictError, type Message, ValidationError } from '../errors';
import { type MailDelivery, sendMail } from '../mail/mailer';
import { temporaryPasswordMail } from '../mail/temporaryPasswordMail';
import { User, type UserRole } from '../models';
import { notFound } from '../organizations/organizationScope';
import { auditContextOf, type RequestScope } from '../requests/requestScope';
import { userProfile } from '../auth/userShapes';
import { type AdminUserView, type ProfileView, readUser } from './userReadUseCases';

export interface TemporaryPasswordOutcome<View> {
  user: View;
  temporaryPassword: string;
  /** Null when no mail could be sent: staff must hand the password over another way. */
  delivery: MailDelivery | null;
}

export interface NewUserRequest extends Omit<NewUser, 'organizationId'> {
  /** The one asked for, else the admin's own; null when neither (refused). */
  organizationId: number | null;
}

export async function createUser(
  scope: RequestScope,
  admin: AuthenticatedUser,
  input: NewUserRequest,
): Promise<TemporaryPasswordOutcome<ProfileView>> {
  const { organizationId } = input;
  if (organizationId === null) throw organizationRequired();
  const created = await scope.db.transaction(async (trx) => {
    const outcome = await createUserWithTemporaryPassword(trx, { ...input, organizationId });
    const audit = auditContextOf(scope, admin);
    await recordUserChange(trx, audit, 'user.created', outcome.user, null, snapshotOf(outcome.user));
    return outcome;
  });
  const delivery = await mailTemporaryPassword(scope, created.user, created.temporaryPassword, 'account_created');
  return {
    user: userProfile(created.user, created.organization),
    temporaryPassword: created.temporaryPassword,
    delivery,
  };
}

function organizationRequired(): ValidationError {
  return new ValidationError(
    'validation_error',
    { fr: 'Données invalides.', en: 'Invalid input.' },
    {
      organization_id: [
        {
          fr: "Requis : votre propre compte n'appartient à aucune organisation.",
          en: 'Required: your own account belongs to no organization.',
        },
      ],
    },
  );
}

/** Where a temporary password's mail went: through SMTP, to the outbox folder (no SMTP configured), or nowhere. */
export function deliveryOf(delivery: MailDelivery | null): 'smtp' | 'outbox' | 'failed' {
  if (delivery === null) return 'failed';
  return delivery.delivered === 'smtp' ? 'smtp' : 'outbox';
}

/** The seed's message when the mail went (`email_delivery` says where); what to do when it could not. */
export function creationMessage(email: string, delivery: MailDelivery | null): Message {
  if (delivery !== null)
    return {
      fr: 'Utilisateur créé avec succès. Un email a été envoyé.',
      en: 'User created successfully. An email was sent.',
    };
  return {
    fr: `Utilisateur créé avec succès, mais l'email à ${email} n'a pas pu être envoyé : transmettez-lui le mot de passe temporaire autrement.`,
    en: `User created successfully, but the email to ${email} could not be sent: give them the temporary password another way.`,
  };
}

export function passwordResetMessage(email: string, delivery: MailDelivery | null): Message {
  if (delivery !== null)
    return { fr: 'Mot de passe réinitialisé. Un email a été envoyé.', en: 'Password reset. An email was sent.' };
  return {
    fr: `Mot de passe réinitialisé, mais l'email à ${email} n'a pas pu être envoyé : transmettez-lui le mot de passe temporaire autrement.`,
    en: `Password reset, but the email to ${email} could not be sent: give them the temporary password another way.`,
  };
}

export interface UserChanges {
  first_name?: string;
  last_name?: string;
  phone_number?: string | null;
  role?: UserRole;
}

/** Only what differs is written and audited; a change to nothing records nothing. */
export async function updateUser(
  scope: RequestScope,
  admin: AuthenticatedUser,
  userId: number,
  changes: UserChanges,
): Promise<AdminUserView> {
  return scope.db.transaction(async (trx) => {
    const user = await lockUser(trx, userId);
    const { before, after } = differences(user, changes);
    if (Object.keys(after).length > 0) {
      await User.query(trx)
        .patch({ ...(after as Partial<UserChanges>), updated_at: new Date() })
        .where('id', userId);
      await recordUserChange(trx, auditContextOf(scope, admin), 'user.updated', user, before, after);
    }
    return readUser({ db: trx }, userId);
  });
}

export async function deactivateUser(
  scope: RequestScope,
  admin: AuthenticatedUser,
  userId: number,
): Promise<AdminUserView> {
  if (userId === admin.id) {
    throw new ConflictError('cannot_deactivate_self', {
      fr: 'Vous ne pouvez pas désactiver votre propre compte.',
      en: 'You cannot deactivate your own account.',
    });
  }
  return setActive(scope, admin, userId, false);
}

export async function reactivateUser(
  scope: RequestScope,
  admin: AuthenticatedUser,
  userId: number,
): Promise<AdminUserView> {
  return setActive(scope, admin, userId, true);
}

/** Asking for the state the user is already in changes nothing and records nothing. */
async function setActive(
  scope: RequestScope,
  admin: AuthenticatedUser,
  userId: number,
  active: boolean,
): Promise<AdminUserView> {
  const audit = auditContextOf(scope, admin);
  return scope.db.transaction(async (trx) => {
    const user = await lockUser(trx, userId);
    if (user.is_active !== active) {
      await User.query(trx).patch({ is_active: active, updated_at: new Date() }).where('id', userId);
      if (!active) await endSessions(trx, userId);
      const kind = active ? 'user.reactivated' : 'user.deactivated';
      await recordUserChange(trx, audit, kind, user, { is_active: user.is_active }, { is_active: active });
    }
    return readUser({ db: trx }, userId);
  });
}

/** A new temporary password, to be changed at the next login; the user's sessions end now. */
export async function resetPassword(
  scope: RequestScope,
  admin: AuthenticatedUser,
  userId: number,
): Promise<TemporaryPasswordOutcome<AdminUserView>> {
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  const audit = auditContextOf(scope, admin);
  const user = await scope.db.transaction(async (trx) => {
    const current = await lockUser(trx, userId);
    await User.query(trx)
      .patch({ password_hash: passwordHash, must_change_password: true, updated_at: new Date() })
      .where('id', userId);
    await endSessions(trx, userId);
    const before = { must_change_password: current.must_change_password };
    await recordUserChange(trx, audit, 'user.password_reset', current, before, { must_change_password: true });
    return current;
  });
  const delivery = await mailTemporaryPassword(scope, user, temporaryPassword, 'password_reset');
  return { user: await readUser(scope, userId), temporaryPassword, delivery };
}

async function lockUser(trx: Knex.Transaction, userId: number): Promise<User> {
  const user = await User.query(trx).findById(userId).forUpdate();
  if (!user) throw notFound();
  return user;
}

async function endSessions(trx: Knex.Transaction, userId: number): Promise<void> {
  await User.query(trx)
    .patch({ session_version: raw('session_version + 1') })
    .where('id', userId);
  await revokeAllRefreshTokensOf(trx, userId);
}

type Editable = keyof UserChanges;
const EDITABLE: readonly Editable[] = ['first_name', 'last_name', 'phone_number', 'role'];

type FieldValues = Record<string, string | null>;

function differences(user: User, changes: UserChanges): { before: FieldValues; after: FieldValues } {
  const before: FieldValues = {};
  const after: FieldValues = {};
  for (const field of EDITABLE) {
    const wanted = changes[field];
    if (wanted === undefined || wanted === user[field]) continue;
    before[field] = user[field];
    after[field] = wanted;
  }
  return { before, after };
}

/** What the log keeps of a user: never the password hash. */
function snapshotOf(user: User): AuditValues {
  return {
    email: user.email,
    first_name: user.first_name,
    last_name: user.last_name,
    phone_number: user.phone_number,
    role: user.role,
    is_staff: user.is_staff,
    is_active: user.is_active,
    organization_id: user.organization_id,
  };
}

async function recordUserChange(
  trx: Knex.Transaction,
  audit: AuditContext,
  kind: AuditKind,
  user: User,
  before: AuditValues | null,
  after: AuditValues,
): Promise<void> {
  await recordAudit(trx, {
    ...audit,
    kind,
    organizationId: user.organization_id,
    subject: { type: 'user', id: user.id },
    before,
    after,
  });
}

/**
 * Sent after the commit: a mail cannot be rolled back, and a failed one does not undo the change. It tells the user
 * to sign in at PUBLIC_BASE_URL.
 */
async function mailTemporaryPassword(
  scope: RequestScope,
  user: User,
  temporaryPassword: string,
  purpose: 'account_created' | 'password_reset',
): Promise<MailDelivery | null> {
  const message = temporaryPasswordMail({
    email: user.email,
    firstName: user.first_name,
    temporaryPassword,
    loginUrl: scope.config.http.publicBaseUrl,
    purpose,
  });
  try {
    const delivery = await sendMail(scope.config.email, message);
    scope.log.info({ userId: user.id, delivered: delivery.delivered, purpose }, 'temporary password mailed');
    return delivery;
  } catch (error) {
    scope.log.error({ err: error, userId: user.id, purpose }, 'temporary password mail failed');
    return null;
  }
}
