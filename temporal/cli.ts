/**
 * Finds the Temporal CLI (which embeds the dev server and the Web UI), building it once if needed.
 * Order: TEMPORAL_CLI env var, `temporal` on PATH, then a cache folder outside the clone, where
 * `go install` puts it (no prebuilt download is reachable on our machines; a build takes about 5 minutes).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withInstallLock } from '../scripts/installLock';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export function temporalCliCacheDir(): string {
  const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'pension-gateway', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

export function ensureTemporalCli(log: (line: string) => void = console.log): string {
  if (process.env.TEMPORAL_CLI && existsSync(process.env.TEMPORAL_CLI)) return process.env.TEMPORAL_CLI;

  const onPath = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return onPath.stdout.trim();

  const cacheDir = temporalCliCacheDir();
  const cached = path.join(cacheDir, 'temporal');
  if (existsSync(cached)) return cached;

  const hasGo = spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).status === 0;
  if (!hasGo) {
    throw new Error(
      'The Temporal CLI is not installed and Go is not available to build it. Install the official CLI ' +
        '(https://docs.temporal.io/cli#install, e.g. `brew install temporal`) or set TEMPORAL_CLI to its path.',
    );
  }
  mkdirSync(cacheDir, { recursive: true });
  // Several clones, or `npm start` and `npm test` together, may need it at once: one builds, the others wait.
  withInstallLock(
    `${cacheDir}.lock`,
    () => existsSync(cached),
    () => {
      log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} into ${cacheDir} (once; about 5 minutes on 2 cores)...`);
      execFileSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
        env: { ...process.env, GOBIN: cacheDir },
        stdio: 'inherit',
      });
    },
    log,
  );
  if (!existsSync(cached)) throw new Error(`go install finished but ${cached} is missing`);
  return cached;
}

if (require.main === module) {
  console.log(ensureTemporalCli());
}
