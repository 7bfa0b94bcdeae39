/**
 * Refresh tokens with rotation. Each login starts a family; each refresh spends the presented token and
 * issues the next one of the same family. Presenting a spent token means two parties hold the family (a
 * stolen token, or a replay), so the whole family is revoked and both must log in again.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { raw } from 'objection';
import { AuthenticationError, MESSAGES } from '../errors';
import { RefreshToken, User } from '../models';
import { isOrganizationActive, organizationInactiveAuthError } from '../organizations/status';
import { signAccessToken, signRefreshToken, type TokenSettings, verifyRefreshToken } from './tokens';

export interface TokenPair {
  access: string;
  refresh: string;
}

/** A fresh access token and the first refresh token of a new family, for a successful login. */
export async function issueTokenPair(
  knex: Knex,
  settings: TokenSettings,
  user: Pick<User, 'id' | 'session_version'>,
): Promise<TokenPair> {
  const familyId = randomUUID();
  const refresh = await storeNewRefreshToken(knex, settings, user.id, familyId);
  return { access: accessTokenOf(settings, user, familyId), refresh };
}

function accessTokenOf(settings: TokenSettings, user: Pick<User, 'id' | 'session_version'>, familyId: string): string {
  return signAccessToken(settings, { userId: user.id, sessionVersion: user.session_version, sessionId: familyId });
}

type RotationOutcome = { rotated: TokenPair } | { refused: 'invalid' | 'reused' | 'organization_inactive' };

/** Spends `presentedToken` and returns the next pair; 401 for anything but a live, unspent token. */
export async function rotateRefreshToken(
  knex: Knex,
  settings: TokenSettings,
  presentedToken: string,
): Promise<TokenPair> {
  const claims = verifyRefreshToken(settings, presentedToken);
  const outcome = await knex.transaction(async (trx): Promise<RotationOutcome> => {
    const stored = await RefreshToken.query(trx).findById(claims.jti).forUpdate();
    if (!stored || String(stored.user_id) !== claims.sub || stored.family_id !== claims.family)
      return { refused: 'invalid' };
    if (stored.used_at !== null || stored.revoked_at !== null) {
      await revokeFamily(trx, stored.family_id);
      return { refused: 'reused' };
    }
    if (stored.expires_at.getTime() <= Date.now()) return { refused: 'invalid' };

    const user = await User.query(trx).findById(stored.user_id);
    if (!user || !user.is_active) {
      await revokeFamily(trx, stored.family_id);
      return { refused: 'invalid' };
    }
    // Refused but not spent nor revoked: a deactivation suspends the organization, and its reactivation lets the
    // same login go on.
    if (!(await isOrganizationActive(trx, user.organization_id))) return { refused: 'organization_inactive' };
    await RefreshToken.query(trx).patch({ used_at: new Date() }).where('id', stored.id);
    const refresh = await storeNewRefreshToken(trx, settings, user.id, stored.family_id);
    return { rotated: { access: accessTokenOf(settings, user, stored.family_id), refresh } };
  });

  if ('rotated' in outcome) return outcome.rotated;
  if (outcome.refused === 'organization_inactive') throw organizationInactiveAuthError();
  if (outcome.refused === 'reused') {
    throw new AuthenticationError('token_reused', {
      fr: 'Ce jeton de rafraîchissement a déjà été utilisé ; toutes les sessions de cette connexion ont été révoquées.',
      en: 'This refresh token was already used; every session of its login was revoked.',
    });
  }
  throw new AuthenticationError('token_not_valid', MESSAGES.tokenNotValid);
}

/** Ends every session of the user, e.g. after a password change. */
export async function revokeAllRefreshTokensOf(knex: Knex, userId: number): Promise<number> {
  return RefreshToken.query(knex).patch({ revoked_at: new Date() }).where('user_id', userId).whereNull('revoked_at');
}

/** Ends one login: its refresh tokens, and its access tokens with them (see userWithSession). */
export async function revokeFamily(knex: Knex, familyId: string): Promise<number> {
  return RefreshToken.query(knex)
    .patch({ revoked_at: new Date() })
    .where('family_id', familyId)
    .whereNull('revoked_at');
}

/**
 * The user, and whether the login `familyId` is live: it is the user's and none of its tokens is revoked (a
 * revocation revokes every token of the family, so one revoked row ends it; a token rotated in during a
 * revocation does not revive it). One read by primary key with a lookup on the family_id index, made by every
 * authenticated request, so a revoked login's access tokens stop at once rather than when they expire.
 */
export async function userWithSession(
  knex: Knex,
  userId: number,
  familyId: string,
): Promise<{ user: User; sessionLive: boolean } | null> {
  const row = await User.query(knex)
    .findById(userId)
    .select(
      'users.*',
      raw(
        `coalesce((select bool_and(r.revoked_at is null) from refresh_tokens r
                   where r.family_id = ? and r.user_id = users.id), false) as session_live`,
        [familyId],
      ),
    )
    .castTo<(User & { session_live?: boolean }) | undefined>();
  if (!row) return null;
  const sessionLive = row.session_live === true;
  delete row.session_live;
  return { user: row, sessionLive };
}

async function storeNewRefreshToken(
  knex: Knex,
  settings: TokenSettings,
  userId: number,
  familyId: string,
): Promise<string> {
  const tokenId = randomUUID();
  const { token, expiresAt } = signRefreshToken(settings, { userId, tokenId, familyId });
  await RefreshToken.query(knex).insert({ id: tokenId, family_id: familyId, user_id: userId, expires_at: expiresAt });
  return token;
}
