/**
 * The options every connection to Temporal is made with (the API's client, the worker's native connection and
 * the worker's schedule client), built from the configuration in one place so they cannot drift apart: the
 * address, and TLS (a private CA, an mTLS client certificate, the server name to check) or a Temporal Cloud API
 * key. The returned object fits both `Connection.connect` and `NativeConnection.connect`.
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { type Config, ConfigError } from '../config';

export interface TemporalConnectionOptions {
  address: string;
  /** Absent: plain gRPC, as the local dev server speaks. */
  tls?: TLSConfig;
  apiKey?: string;
}

export type ReadFile = (path: string) => Buffer;

export function temporalConnectionOptions(
  temporal: Config['temporal'],
  readFile: ReadFile = readFileSync,
): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: temporal.address };
  if (temporal.tls !== null) options.tls = tlsConfig(temporal.tls, readFile);
  if (temporal.apiKey !== null) options.apiKey = temporal.apiKey;
  return options;
}

function tlsConfig(tls: NonNullable<Config['temporal']['tls']>, readFile: ReadFile): TLSConfig {
  const config: TLSConfig = {};
  if (tls.serverName !== null) config.serverNameOverride = tls.serverName;
  if (tls.caPath !== null) config.serverRootCACertificate = readPem(readFile, 'TEMPORAL_TLS_CA_PATH', tls.caPath);
  if (tls.clientCertPath !== null && tls.clientKeyPath !== null) {
    config.clientCertPair = {
      crt: readPem(readFile, 'TEMPORAL_TLS_CERT_PATH', tls.clientCertPath),
      key: readPem(readFile, 'TEMPORAL_TLS_KEY_PATH', tls.clientKeyPath),
    };
  }
  return config;
}

/** A missing or unreadable file stops the process at start with the variable named, not at the first payout. */
function readPem(readFile: ReadFile, variable: string, path: string): Buffer {
  try {
    return readFile(path);
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${variable}: cannot read ${path} (${(error as Error).message})`);
  }
}
