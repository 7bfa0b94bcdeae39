import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isUuid, uuidV7 } from '../../src/domain/ids';

describe('uuidV7', () => {
  it('puts the time first, then version 7, and keeps the random bits and the RFC variant', () => {
    const random = '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';
    const id = uuidV7(0x0192_3456_789a, random);
    expect(id).toBe('01923456-789a-7e8f-9a0b-1c2d3e4f5a6b');
    expect(isUuid(id)).toBe(true);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('sorts as its times do, as text and as Postgres orders uuids (byte by byte)', () => {
    const times = [1, 255, 256, 1_700_000_000_000, 1_700_000_000_001, 2 ** 48 - 1];
    const ids = times.map((ms) => uuidV7(ms, randomUUID()));
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs between two ids of the same millisecond', () => {
    const now = Date.now();
    expect(uuidV7(now, randomUUID())).not.toBe(uuidV7(now, randomUUID()));
  });

  it('refuses a time it cannot hold and randomness that is not a version 4 UUID', () => {
    expect(() => uuidV7(-1, randomUUID())).toThrow(RangeError);
    expect(() => uuidV7(2 ** 48, randomUUID())).toThrow(RangeError);
    expect(() => uuidV7(1.5, randomUUID())).toThrow(RangeError);
    expect(() => uuidV7(1, '01923456-789a-7e8f-9a0b-1c2d3e4f5a6b')).toThrow(RangeError);
    expect(() => uuidV7(1, 'not a uuid')).toThrow(RangeError);
  });
});
