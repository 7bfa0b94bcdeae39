import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withInstallLock } from '../../scripts/installLock';

const ROOT = path.resolve(__dirname, '../..');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'install-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A process that installs (slowly) under the lock, unless the marker says it is done. */
function installer(name: string): Promise<number> {
  const script = `
    const { appendFileSync, existsSync, writeFileSync } = require('node:fs');
    const { withInstallLock } = require(${JSON.stringify(path.join(ROOT, 'scripts/installLock.ts'))});
    const log = ${JSON.stringify(path.join(dir, 'log'))};
    const marker = ${JSON.stringify(path.join(dir, 'installed'))};
    withInstallLock(${JSON.stringify(path.join(dir, 'lock'))}, () => existsSync(marker), () => {
      appendFileSync(log, 'start ${name}\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
      writeFileSync(marker, '');
      appendFileSync(log, 'end ${name}\\n');
    }, () => undefined);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
}

describe('withInstallLock', () => {
  it('lets one of two processes install while the other waits, then skips the install it no longer needs', async () => {
    expect(await Promise.all([installer('a'), installer('b')])).toEqual([0, 0]);
    const lines = readFileSync(path.join(dir, 'log'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^start /);
    expect(lines[1]).toBe(lines[0]!.replace('start', 'end'));
    expect(existsSync(path.join(dir, 'lock'))).toBe(false);
  });

  it('takes over a lock whose owner died mid-install', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    mkdirSync(path.join(dir, 'lock'));
    writeFileSync(path.join(dir, 'lock', 'pid'), String(dead));
    let installed = false;
    withInstallLock(
      path.join(dir, 'lock'),
      () => false,
      () => (installed = true),
      () => undefined,
    );
    expect(installed).toBe(true);
  });

  it('releases the lock when the install throws', () => {
    expect(() =>
      withInstallLock(
        path.join(dir, 'lock'),
        () => false,
        () => {
          throw new Error('npm ci failed');
        },
        () => undefined,
      ),
    ).toThrow('npm ci failed');
    expect(existsSync(path.join(dir, 'lock'))).toBe(false);
  });
});
