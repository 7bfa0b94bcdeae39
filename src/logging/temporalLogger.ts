/**
 * The Temporal SDK's own log lines (worker state, workflow and activity context loggers, the native core) sent
 * through our pino logger, so the worker writes one structured format with our redaction rules, instead of the
 * SDK's default console output.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger as PinoLogger } from 'pino';

const PINO_METHOD: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export function temporalLoggerFor(pino: PinoLogger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    pino[PINO_METHOD[level]]({ temporal: meta ?? {} }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
