import fc from 'fast-check';
import { stringifyJson } from '../../src/api/json';

describe('stringifyJson', () => {
  it('writes a bigint as the exact JSON integer, at any size', () => {
    expect(stringifyJson({ balance: 2n ** 60n + 5n, reserved: 0n })).toBe(
      '{"balance":1152921504606846981,"reserved":0}',
    );
    expect(stringifyJson([-12n, 0n])).toBe('[-12,0]');
  });

  it('writes everything else as JSON.stringify does, leaving out undefined members', () => {
    const value = {
      text: 'a "quoted"\nline',
      number: 1.5,
      flag: true,
      none: null,
      list: [1, 'x', { nested: false }],
      missing: undefined,
    };
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
    fc.assert(fc.property(fc.jsonValue(), (json) => expect(stringifyJson(json)).toBe(JSON.stringify(json))));
  });
});
