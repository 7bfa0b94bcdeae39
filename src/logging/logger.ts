import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { config } from '../config';

/** Fields that must never reach a log line, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'new_password',
  '*.new_password',
  'old_password',
  '*.old_password',
  'temporary_password',
  '*.temporary_password',
  'access',
  '*.access',
  'refresh',
  '*.refresh',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'secretKey',
  '*.secretKey',
  'password_hash',
  '*.password_hash',
  'EMAIL_HOST_PASSWORD',
];

/**
 * Readable lines for a person at a terminal (`npm start`); JSON, one object a line, for everything else: production
 * whatever it writes to, and any pipe or file (log collectors, tests reading a child's output).
 */
export function wantsPrettyLogs(env: string, stdoutIsTerminal: boolean): boolean {
  return env !== 'production' && stdoutIsTerminal;
}

/**
 * The pretty printer writes synchronously on the main thread: a crash's last lines are on the screen before the
 * process exits, and a development stack has no log volume that would need pino's worker-thread transport.
 */
function destination(): DestinationStream | undefined {
  if (!wantsPrettyLogs(config().env, process.stdout.isTTY === true)) return undefined;
  return pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}

export const logger: Logger = pino(
  {
    level: config().logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'pension-gateway' },
  },
  destination(),
);
