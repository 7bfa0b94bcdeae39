/**
 * Fixed-window rate limits kept in Postgres (table rate_limit_windows), so a limit holds across API replicas. A hit
 * is counted by one atomic upsert before the limited work runs, so parallel requests queue on the row and cannot
 * slip through between a check and a write; a hit past the limit is counted too (the caller is refused), which
 * keeps a client that insists from being let in early.
 */
import type { Knex } from 'knex';
import { type Message, RateLimitedError } from '../errors';

export interface FixedWindowLimit {
  /** What is limited, e.g. `webhook_test`; with `key`, one counter. */
  scope: string;
  max: number;
  windowSeconds: number;
}

/** Counts one hit on `key`; throws 429 `rate_limited` (with retry_after_seconds) once past `limit.max`. */
export async function countHit(knex: Knex, limit: FixedWindowLimit, key: string, refusal: Message): Promise<void> {
  await forgetElapsedWindows(knex, limit);
  const window = await upsertHit(knex, limit, key.slice(0, 128));
  if (window.hits > limit.max) {
    throw new RateLimitedError('rate_limited', refusal, { retry_after_seconds: window.secondsLeft });
  }
}

async function upsertHit(
  knex: Knex,
  limit: FixedWindowLimit,
  key: string,
): Promise<{ hits: number; secondsLeft: number }> {
  const seconds = limit.windowSeconds;
  const result = await knex.raw<{ rows: Array<{ hits: number; seconds_left: string }> }>(
    `insert into rate_limit_windows as w (scope, key, window_started_at, hits)
     values (?, ?, now(), 1)
     on conflict (scope, key) do update set
       window_started_at = case when w.window_started_at <= now() - ? * interval '1 second' then now() else w.window_started_at end,
       hits = case when w.window_started_at <= now() - ? * interval '1 second' then 1 else w.hits + 1 end
     returning hits, extract(epoch from (window_started_at + ? * interval '1 second' - now())) as seconds_left`,
    [limit.scope, key, seconds, seconds, seconds],
  );
  const row = result.rows[0];
  if (!row) throw new Error('rate limit upsert returned no row');
  return { hits: row.hits, secondsLeft: Math.max(1, Math.ceil(Number(row.seconds_left))) };
}

/** Keeps the scope's rows to the keys seen within the current window. */
async function forgetElapsedWindows(knex: Knex, limit: FixedWindowLimit): Promise<void> {
  await knex('rate_limit_windows')
    .where('scope', limit.scope)
    .andWhere('window_started_at', '<', knex.raw(`now() - ? * interval '1 second'`, [limit.windowSeconds]))
    .delete();
}
