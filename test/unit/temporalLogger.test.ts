import pino from 'pino';
import { temporalLoggerFor } from '../../src/logging/temporalLogger';

describe('temporalLoggerFor', () => {
  it('writes the SDK lines as pino lines at the same level, with the SDK metadata under `temporal`', () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) };
    const temporal = temporalLoggerFor(pino({ level: 'debug' }, sink));

    temporal.info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
    temporal.log('WARN', 'Activity failed', { attempt: 3 });
    temporal.trace('too fine to keep'); // below the pino level

    expect(lines.map((line) => [line.level, line.msg, line.temporal])).toEqual([
      [30, 'Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' }],
      [40, 'Activity failed', { attempt: 3 }],
    ]);
  });
});
