import pino, { Logger } from 'pino';
import { config } from '../config';

/** Fields that must never reach a log line, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  'password', '*.password', 'new_password', '*.new_password', 'old_password', '*.old_password',
  'temporary_password', '*.temporary_password', 'access', '*.access', 'refresh', '*.refresh',
  'token', '*.token', 'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie',
  'secretKey', '*.secretKey', 'password_hash', '*.password_hash', 'EMAIL_HOST_PASSWORD',
];

export const logger: Logger = pino({
  level: config().logLevel,
  redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  base: { service: 'pension-gateway' },
});
