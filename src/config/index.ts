/**
 * The one place configuration is read. Every variable is documented in .env.example.
 * Values are validated at start so a misconfigured service fails fast with a clear message
 * instead of misbehaving later with someone's pension.
 */
import 'dotenv/config';
import { z } from 'zod';
import { LANGUAGES } from '../i18n/message';

/** Placeholder secrets that must never reach production. */
export const DEFAULT_SECRET_KEY = 'dev-insecure-secret-change-me';
const KNOWN_WEAK_SECRETS = new Set([DEFAULT_SECRET_KEY, 'changeme', 'secret', 'django-insecure', '']);
/** A scrape token anyone could guess in a few tries is no better than none. */
const MIN_METRICS_TOKEN_LENGTH = 16;

const booleanFromEnv = z
  .union([z.boolean(), z.string()])
  .transform((value) =>
    typeof value === 'boolean' ? value : ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()),
  );

const listFromEnv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

const integerString = z.string().regex(/^\d+$/, 'must be a whole number');

/** A yes/no whose default depends on something else (e.g. production): blank or absent means "the default". */
const optionalBooleanFromEnv = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : booleanFromEnv.parse(value)));

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(1).max(65535).default(8000),
  // Empty: http://localhost:<PORT>, the address of a trial on this machine.
  PUBLIC_BASE_URL: z
    .string()
    .trim()
    .refine(
      (value) => value === '' || URL.canParse(value),
      'must be an absolute URL such as https://paiements.example.org',
    )
    .default(''),
  ALLOWED_HOSTS: listFromEnv.default(['localhost', '127.0.0.1']),
  CORS_ALLOWED_ORIGINS: listFromEnv.default(['http://localhost:3000']),
  REQUEST_BODY_LIMIT_KB: z.coerce.number().int().positive().default(100),
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  API_DEFAULT_LANGUAGE: z.enum(LANGUAGES).default('fr'),

  SECRET_KEY: z.string().default(DEFAULT_SECRET_KEY),
  JWT_ALGORITHM: z.enum(['HS256', 'HS384', 'HS512']).default('HS256'),
  JWT_ACCESS_TOKEN_LIFETIME: z.coerce.number().int().positive().default(480),
  JWT_REFRESH_TOKEN_LIFETIME: z.coerce.number().int().positive().default(10080),
  DECISION_TOKEN_LIFETIME_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),

  LOGIN_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(10),
  LOGIN_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),

  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/pension_gateway'),
  DATABASE_POOL_MAX: z.coerce.number().int().positive().default(10),

  EMAIL_HOST: z.string().default(''),
  EMAIL_PORT: z.coerce.number().int().positive().default(587),
  EMAIL_HOST_USER: z.string().default(''),
  EMAIL_HOST_PASSWORD: z.string().default(''),
  EMAIL_USE_TLS: booleanFromEnv.default(true),
  DEFAULT_FROM_EMAIL: z.string().default('CNSS Paiements <no-reply@pension-gateway.local>'),
  MAIL_OUTBOX_DIR: z.string().default('data/outbox'),

  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('pension-payouts'),
  TEMPORAL_TLS: booleanFromEnv.default(false),
  TEMPORAL_TLS_CERT_PATH: z.string().default(''),
  TEMPORAL_TLS_KEY_PATH: z.string().default(''),
  TEMPORAL_TLS_CA_PATH: z.string().default(''),
  TEMPORAL_TLS_SERVER_NAME: z.string().default(''),
  TEMPORAL_API_KEY: z.string().default(''),

  SCHEME_ADAPTER_URL: z.string().default('http://127.0.0.1:4001'),
  SCHEME_ADAPTER_TIMEOUT_MS: z.coerce.number().int().positive().default(65000),
  MOJALOOP_MAX_FEE: integerString.default('1000'),
  MOJALOOP_TRANSFER_EXPIRY_SECONDS: z.coerce.number().int().positive().max(86400).default(60),
  MOJALOOP_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),

  BULK_MAX_ROWS: z.coerce.number().int().positive().default(100000),
  BULK_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  // Amounts are JSON integers at the API: one line's limit stays below 2^53.
  BULK_MAX_AMOUNT_PER_LINE: integerString
    .default('5000000')
    .refine((value) => BigInt(value) <= BigInt(Number.MAX_SAFE_INTEGER), 'must be at most 9007199254740991'),
  BULK_MAX_ERRORS_REPORTED: z.coerce.number().int().positive().default(100),
  BULK_PAYOUT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  BULK_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
  STRANDED_BULK_SWEEP_MINUTES: z.coerce.number().int().min(0).max(1440).default(5),
  BULK_APPROVAL_TIMEOUT_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 366)
    .default(72),
  BULK_STATUS_LIVE_WAIT_MS: z.coerce.number().int().min(0).max(2000).default(25),
  LINE_STEP_RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(20),
  LINE_STEP_RETRY_INITIAL_MS: z.coerce.number().int().min(1).max(3_600_000).default(1000),
  LINE_STEP_RETRY_MAX_INTERVAL_MS: z.coerce.number().int().min(1).max(3_600_000).default(30000),

  PAYEE_NAME_MATCH_THRESHOLD: z.coerce.number().min(0).max(1).default(0.85),
  PAYEE_NAME_HOLD_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 366)
    .default(72),

  PAYEE_HOLD_OVERDUE_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(3600),

  PROOF_OF_LIFE_MAX_AGE_MONTHS: z.coerce.number().int().min(1).max(120).default(12),

  WEBHOOK_ALLOW_HTTP: optionalBooleanFromEnv,
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: optionalBooleanFromEnv,
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(10000),
  WEBHOOK_DELIVERY_SWEEP_MINUTES: z.coerce.number().int().min(0).max(1440).default(1),
  WEBHOOK_RETRY_INITIAL_MS: z.coerce.number().int().min(1).max(3_600_000).default(10_000),
  WEBHOOK_RETRY_MAX_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3_600_000)
    .default(3_600_000),
  WEBHOOK_DELIVERY_BUDGET_HOURS: z.coerce
    .number()
    .positive()
    .max(30 * 24)
    .default(72),
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce
    .number()
    .min(0)
    .max(30 * 24)
    .default(72),
  WEBHOOK_TEST_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(10),
  WEBHOOK_TEST_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(600),

  DEMO_PASSWORD: z.string().optional(),

  METRICS_TOKEN: z.string().default(''),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  TEMPORAL_METRICS_BIND_ADDRESS: z.string().default(''),
});

export type Config = ReturnType<typeof buildConfig>;

/** Every environment variable the service reads (.env.example and docker-compose.yml are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function buildConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  if (isProduction) refuseUnsafeProductionSettings(e);

  return {
    env: e.NODE_ENV,
    isProduction,
    logLevel: e.LOG_LEVEL,
    http: {
      host: e.HOST,
      port: e.PORT,
      /** Where users reach the API and the console (links in mails, the URLs `npm start` prints); no trailing slash. */
      publicBaseUrl: (e.PUBLIC_BASE_URL || `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
      /** Host names (lower case, no port) the API answers for; empty: any. Checked by middleware/allowedHosts.ts. */
      allowedHosts: e.ALLOWED_HOSTS.map((host) => host.toLowerCase()),
      corsAllowedOrigins: e.CORS_ALLOWED_ORIGINS,
      jsonBodyLimitKb: e.REQUEST_BODY_LIMIT_KB,
      /**
       * Reverse proxies in front of the API that append to X-Forwarded-For. The client address (login rate
       * limits, logs) is taken that many entries from the right, so a client cannot choose it; 0 ignores the header.
       */
      trustedProxyHops: e.TRUSTED_PROXY_HOPS,
      /** The language of human messages when Accept-Language names neither French nor English. */
      defaultLanguage: e.API_DEFAULT_LANGUAGE,
    },
    auth: {
      secretKey: e.SECRET_KEY,
      algorithm: e.JWT_ALGORITHM,
      accessTokenLifetimeMinutes: e.JWT_ACCESS_TOKEN_LIFETIME,
      refreshTokenLifetimeMinutes: e.JWT_REFRESH_TOKEN_LIFETIME,
      /**
       * How long a decision token (a maker-checker decision signed by the API for its workflow, see
       * src/payouts/decisionTokenKeys.ts) is accepted: it is sent at once, so minutes are plenty.
       */
      decisionTokenLifetimeSeconds: e.DECISION_TOKEN_LIFETIME_SECONDS,
      loginRateLimitMax: e.LOGIN_RATE_LIMIT_MAX,
      loginRateLimitWindowSeconds: e.LOGIN_RATE_LIMIT_WINDOW_SECONDS,
    },
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    email: {
      host: e.EMAIL_HOST,
      port: e.EMAIL_PORT,
      user: e.EMAIL_HOST_USER,
      password: e.EMAIL_HOST_PASSWORD,
      useTls: e.EMAIL_USE_TLS,
      from: e.DEFAULT_FROM_EMAIL,
      outboxDir: e.MAIL_OUTBOX_DIR,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      /** Null: plain gRPC (the dev server). Read into connection options by src/clients/temporalConnection.ts. */
      tls: temporalTls(e),
      /** Temporal Cloud API key, sent as a bearer token; implies TLS. */
      apiKey: blankToNull(e.TEMPORAL_API_KEY),
    },
    mojaloop: {
      schemeAdapterUrl: e.SCHEME_ADAPTER_URL,
      requestTimeoutMs: e.SCHEME_ADAPTER_TIMEOUT_MS,
      maxFeeMinorUnits: BigInt(e.MOJALOOP_MAX_FEE),
      /**
       * How long a sent transfer may still commit: the adapter's own expiry on the prepare (its EXPIRY_SECONDS)
       * plus a margin for the clocks of the adapter, the switch and us. A sent line whose outcome the switch
       * cannot tell is not failed before this has passed.
       */
      transferExpiryMs: (e.MOJALOOP_TRANSFER_EXPIRY_SECONDS + e.MOJALOOP_CLOCK_SKEW_SECONDS) * 1000,
    },
    bulk: {
      maxRows: e.BULK_MAX_ROWS,
      maxBytes: e.BULK_MAX_BYTES,
      maxAmountPerLineMinorUnits: BigInt(e.BULK_MAX_AMOUNT_PER_LINE),
      maxErrorsReported: e.BULK_MAX_ERRORS_REPORTED,
      payoutConcurrency: e.BULK_PAYOUT_CONCURRENCY,
      pageSize: e.BULK_PAGE_SIZE,
      /** Period of the stranded-bulk sweep schedule the worker creates; null: the worker creates none. */
      strandedSweepMinutes: e.STRANDED_BULK_SWEEP_MINUTES === 0 ? null : e.STRANDED_BULK_SWEEP_MINUTES,
      /** How long a bulk of an organization requiring approval waits for it; then it ends FAILED, its funds released. */
      approvalTimeoutHours: e.BULK_APPROVAL_TIMEOUT_HOURS,
      /** How long /status waits for the running workflow's live count before answering from Postgres; 0: never asks. */
      statusLiveWaitMs: e.BULK_STATUS_LIVE_WAIT_MS,
      /** How a line's steps before sending are retried (discovery, quote): doubling from initial to the maximum. */
      lineRetry: {
        maximumAttempts: e.LINE_STEP_RETRY_MAX_ATTEMPTS,
        initialIntervalMs: e.LINE_STEP_RETRY_INITIAL_MS,
        maximumIntervalMs: e.LINE_STEP_RETRY_MAX_INTERVAL_MS,
      },
    },
    payeeNameCheck: {
      /** A line whose expected name scores below this against the wallet owner's (0 to 1) is held ON_HOLD. */
      matchThreshold: e.PAYEE_NAME_MATCH_THRESHOLD,
      /** How long a held line waits for a decision; then it fails `name_mismatch_rejected`, its money released. */
      holdHours: e.PAYEE_NAME_HOLD_HOURS,
      /** How long past a hold's deadline the bulk fails a held line whose own workflow did not (a backstop). */
      overdueHoldGraceMs: e.PAYEE_HOLD_OVERDUE_GRACE_SECONDS * 1000,
    },
    pension: {
      /** A beneficiary whose last proof of life is older than this (at the period's first day) is not paid. */
      proofOfLifeMaxAgeMonths: e.PROOF_OF_LIFE_MAX_AGE_MONTHS,
    },
    webhooks: {
      /** Outside production both default to true, so a receiver on this machine works with `npm start`. */
      addressPolicy: {
        allowHttp: e.WEBHOOK_ALLOW_HTTP ?? !isProduction,
        allowPrivateAddresses: e.WEBHOOK_ALLOW_PRIVATE_ADDRESSES ?? !isProduction,
      },
      /** One delivery attempt's whole time (connect, answer, body); past it the attempt fails and is retried. */
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      /** Period of the worker's `webhook-delivery-sweep` schedule; null: the worker creates none. */
      sweepMinutes: e.WEBHOOK_DELIVERY_SWEEP_MINUTES === 0 ? null : e.WEBHOOK_DELIVERY_SWEEP_MINUTES,
      /** Each delivery's retry: doubling from initial to the maximum interval, for the whole budget; then FAILED. */
      retry: {
        initialIntervalMs: e.WEBHOOK_RETRY_INITIAL_MS,
        maximumIntervalMs: e.WEBHOOK_RETRY_MAX_INTERVAL_MS,
        budgetMs: Math.round(e.WEBHOOK_DELIVERY_BUDGET_HOURS * 3_600_000),
      },
      /** How long an endpoint may keep failing before it is disabled (its organization told by mail). */
      disableAfterMs: Math.round(e.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000),
      /**
       * Test events per endpoint per window (POST /api/webhooks/{id}/test): each is an HTTP request to the fund's
       * receiver and a workflow, so a caller looping on the route cannot flood either.
       */
      testRateLimit: { max: e.WEBHOOK_TEST_RATE_LIMIT_MAX, windowSeconds: e.WEBHOOK_TEST_RATE_LIMIT_WINDOW_SECONDS },
    },
    demoPassword: isProduction ? undefined : e.DEMO_PASSWORD,
    metrics: {
      /** When set, every /metrics scrape must send `Authorization: Bearer <token>`. */
      token: e.METRICS_TOKEN === '' ? null : e.METRICS_TOKEN,
      /** Port of the worker's own /metrics; null when disabled (WORKER_METRICS_PORT=0). */
      workerPort: e.WORKER_METRICS_PORT === 0 ? null : e.WORKER_METRICS_PORT,
      /** host:port where the Temporal SDK's native runtime serves its metrics; null when disabled. */
      temporalBindAddress:
        e.TEMPORAL_METRICS_BIND_ADDRESS.trim() === '' ? null : e.TEMPORAL_METRICS_BIND_ADDRESS.trim(),
    },
  };
}

type Environment = z.infer<typeof environmentSchema>;

/** TLS to the Temporal frontend, from file paths (read once, at start: a rotated certificate takes effect at restart). */
export interface TemporalTlsSettings {
  /** mTLS client certificate and its key (PEM), both or neither. */
  clientCertPath: string | null;
  clientKeyPath: string | null;
  /** CA that signed the server's certificate (PEM); null: the system's trusted CAs. */
  caPath: string | null;
  /** The name the server's certificate is checked against, when it is not the host of TEMPORAL_ADDRESS. */
  serverName: string | null;
}

function blankToNull(value: string): string | null {
  return value.trim() === '' ? null : value.trim();
}

/** Any TLS setting (or an API key, which Temporal Cloud only accepts over TLS) turns TLS on. */
function temporalTls(e: Environment): TemporalTlsSettings | null {
  const tls: TemporalTlsSettings = {
    clientCertPath: blankToNull(e.TEMPORAL_TLS_CERT_PATH),
    clientKeyPath: blankToNull(e.TEMPORAL_TLS_KEY_PATH),
    caPath: blankToNull(e.TEMPORAL_TLS_CA_PATH),
    serverName: blankToNull(e.TEMPORAL_TLS_SERVER_NAME),
  };
  if ((tls.clientCertPath === null) !== (tls.clientKeyPath === null)) {
    throw new ConfigError(
      'Invalid configuration: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together (mTLS needs both)',
    );
  }
  const anySet = Object.values(tls).some((value) => value !== null);
  return anySet || e.TEMPORAL_TLS || blankToNull(e.TEMPORAL_API_KEY) !== null ? tls : null;
}

function refuseUnsafeProductionSettings(e: Environment): void {
  if (KNOWN_WEAK_SECRETS.has(e.SECRET_KEY) || e.SECRET_KEY.length < 32) {
    throw new ConfigError(
      'Refusing to start in production: SECRET_KEY is missing, a default, or shorter than 32 characters',
    );
  }
  if (e.DEMO_PASSWORD) throw new ConfigError('Refusing to start in production with DEMO_PASSWORD set');
  // /metrics is served on the API's public port (and the worker's metrics port): without a token anyone reaching
  // them reads the payout volumes and failure codes of every organization.
  if (e.METRICS_TOKEN.trim().length < MIN_METRICS_TOKEN_LENGTH) {
    throw new ConfigError(
      `Refusing to start in production without METRICS_TOKEN (at least ${MIN_METRICS_TOKEN_LENGTH} characters): /metrics is served on the public API port`,
    );
  }
}

let cached: Config | undefined;

/** The process-wide configuration, read once. Tests may call buildConfig directly with their own env. */
export function config(): Config {
  cached ??= buildConfig();
  return cached;
}
