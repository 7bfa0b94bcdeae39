/**
 * Login rate limiting, per client IP and per email, in Postgres so the limit holds across API replicas.
 *
 * Every attempt is counted *before* the password is checked (one atomic upsert of both keys), so a burst of
 * parallel guesses cannot slip through between a check and a write; a successful login then gives its
 * attempt back. What is limited is therefore failed attempts: colleagues behind one office NAT who log in
 * correctly never lock each other out. Fixed windows of `windowSeconds`, restarted when elapsed.
 *
 * The two limits refuse differently. An address over its limit is refused before any password is checked: that
 * stops floods. An email over its limit is not: anyone may fill it, and refusing the right password would let an
 * outsider keep a fund's approvers out. Its password is still checked, and anything but a right one is answered
 * 429 (`emailLimited`), so a guesser learns nothing but what a successful login tells anyone.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { RateLimitedError } from '../errors';

export type RateLimitSettings = Pick<Config['auth'], 'loginRateLimitMax' | 'loginRateLimitWindowSeconds'>;

type Scope = 'ip' | 'email';

interface CountedKey {
  scope: Scope;
  key: string;
  /** The window the attempt was counted in, as Postgres text (exact to the microsecond). */
  windowStartedAt: string;
}

export interface ReservedAttempt {
  /** Gives the attempt back: call it when the login succeeded. */
  refund(): Promise<void>;
  /** Throws the 429 when this email's window is full: call it instead of answering anything but success. */
  refuseIfEmailLimited(): void;
}

export async function reserveLoginAttempt(
  knex: Knex,
  settings: RateLimitSettings,
  client: { ip: string; email: string },
): Promise<ReservedAttempt> {
  await forgetElapsedWindows(knex, settings);
  const windows = await countAttempt(knex, settings, [
    // Behind a proxy the address comes from X-Forwarded-For, which may hold anything.
    { scope: 'ip', key: client.ip.slice(0, 64) },
    { scope: 'email', key: emailKey(client.email) },
  ]);
  const counted: CountedKey[] = windows.map(({ scope, key, startedAt }) => ({
    scope,
    key,
    windowStartedAt: startedAt,
  }));
  const exceeded = (scope: Scope) =>
    windows.filter((window) => window.scope === scope && window.attempts > settings.loginRateLimitMax);
  const ipExceeded = exceeded('ip');
  if (ipExceeded.length > 0) throw rateLimited(ipExceeded);
  const emailExceeded = exceeded('email');
  return {
    refund: () => refund(knex, counted),
    refuseIfEmailLimited: () => {
      if (emailExceeded.length > 0) throw rateLimited(emailExceeded);
    },
  };
}

function rateLimited(exceeded: readonly WindowState[]): RateLimitedError {
  return new RateLimitedError(
    'rate_limited',
    { fr: 'Trop de tentatives. Réessayez plus tard.', en: 'Too many attempts. Try again later.' },
    { retry_after_seconds: Math.max(...exceeded.map((window) => window.secondsLeft)) },
  );
}

/** Emails are hashed: people sometimes type their password into the email field. */
function emailKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

interface WindowState {
  scope: Scope;
  key: string;
  attempts: number;
  startedAt: string;
  secondsLeft: number;
}

/**
 * Counts one attempt against every key in a single statement. Its rows are locked in the order given, the
 * same for every login, so parallel attempts queue up behind each other and see consistent counts.
 */
async function countAttempt(
  knex: Knex,
  settings: RateLimitSettings,
  keys: Array<{ scope: Scope; key: string }>,
): Promise<WindowState[]> {
  const windowSeconds = settings.loginRateLimitWindowSeconds;
  const values = keys.map(() => '(?, ?, now(), 1)').join(', ');
  const result = await knex.raw<{
    rows: Array<{ scope: Scope; key: string; attempts: number; started_at: string; seconds_left: string }>;
  }>(
    `insert into login_attempts as a (scope, key, window_started_at, attempts)
     values ${values}
     on conflict (scope, key) do update set
       window_started_at = case when a.window_started_at <= now() - ? * interval '1 second' then now() else a.window_started_at end,
       attempts = case when a.window_started_at <= now() - ? * interval '1 second' then 1 else a.attempts + 1 end
     returning scope, key, attempts, window_started_at::text as started_at,
       extract(epoch from (window_started_at + ? * interval '1 second' - now())) as seconds_left`,
    [...keys.flatMap(({ scope, key }) => [scope, key]), windowSeconds, windowSeconds, windowSeconds],
  );
  return result.rows.map((row) => ({
    scope: row.scope,
    key: row.key,
    attempts: row.attempts,
    startedAt: row.started_at,
    secondsLeft: Math.max(1, Math.ceil(Number(row.seconds_left))),
  }));
}

async function refund(knex: Knex, counted: CountedKey[]): Promise<void> {
  for (const { scope, key, windowStartedAt } of counted) {
    await knex('login_attempts')
      .where({ scope, key })
      .andWhere('window_started_at', '=', knex.raw('?::timestamptz', [windowStartedAt]))
      .update({ attempts: knex.raw('greatest(attempts - 1, 0)') });
  }
}

/** Keeps the table to the keys seen within the current window. */
async function forgetElapsedWindows(knex: Knex, settings: RateLimitSettings): Promise<void> {
  await knex('login_attempts')
    .where(
      'window_started_at',
      '<',
      knex.raw(`now() - ? * interval '1 second'`, [settings.loginRateLimitWindowSeconds]),
    )
    .delete();
}
