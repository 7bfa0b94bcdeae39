import { wantsPrettyLogs } from '../../src/logging/logger';

describe('wantsPrettyLogs', () => {
  it('prints readable lines only on a terminal, and never in production', () => {
    expect(wantsPrettyLogs('development', true)).toBe(true);
    expect(wantsPrettyLogs('test', true)).toBe(true);
    expect(wantsPrettyLogs('development', false)).toBe(false);
    expect(wantsPrettyLogs('production', true)).toBe(false);
    expect(wantsPrettyLogs('production', false)).toBe(false);
  });
});
