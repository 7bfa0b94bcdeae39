/** Our ids (bulk, transfer, request) are UUIDs: checked before they reach a uuid column or a workflow id. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** The largest time a UUID version 7 can hold: 48 bits of milliseconds. */
const MAX_UUID_V7_MS = 2 ** 48 - 1;
const VERSION_4_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A UUID version 7 (RFC 9562): the time in milliseconds first, then random bits, taken from `randomV4` (a version 4
 * UUID, whose variant bits are version 7's too). Ids made in time order land at the end of the primary key's index
 * instead of on a random page of it: storing a large upload's lines costs less, and an index of millions of lines
 * keeps few pages hot.
 */
export function uuidV7(unixMs: number, randomV4: string): string {
  if (!Number.isInteger(unixMs) || unixMs < 0 || unixMs > MAX_UUID_V7_MS)
    throw new RangeError(`A UUID v7 holds a time from 0 to ${MAX_UUID_V7_MS} ms, got ${unixMs}`);
  if (!VERSION_4_PATTERN.test(randomV4)) throw new RangeError(`Not a lowercase version 4 UUID: ${randomV4}`);
  const time = unixMs.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomV4.slice(15)}`;
}
