/**
 * A lock across processes for one-time installs (`npm ci` of the Mojaloop peer, `go install` of the Temporal
 * CLI): `npm start` and `npm test` may prepare at the same moment on a fresh clone, and two `npm ci` in one
 * folder delete each other's files. The lock is a directory (mkdir is atomic) holding the owner's pid; a lock
 * whose owner is gone (killed mid-install) is taken over. Synchronous, like the installs it guards.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const POLL_MS = 500;
const GIVE_UP_MS = 20 * 60_000;

/**
 * Runs `install` holding the lock at `lockDir`. `isDone` is checked again once the lock is held, so a process
 * that waited for another's install does not redo it.
 */
export function withInstallLock(
  lockDir: string,
  isDone: () => boolean,
  install: () => void,
  log: (line: string) => void = console.log,
): void {
  acquire(lockDir, log);
  try {
    if (!isDone()) install();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function acquire(lockDir: string, log: (line: string) => void): void {
  mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + GIVE_UP_MS;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (ownerIsGone(lockDir)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`Still waiting for the install lock ${lockDir} after 20 minutes; remove it if no install runs.`);
    if (!announced) log(`Waiting for another process's install to finish (${lockDir})...`);
    announced = true;
    sleepSync(POLL_MS);
  }
}

function ownerIsGone(lockDir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(lockDir, 'pid'), 'utf8'));
  } catch {
    return false; // just created, pid not written yet
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
