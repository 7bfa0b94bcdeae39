/**
 * What the console's browser tests share: the console built (scripts/console.sh, nothing when it is up to date),
 * the API listening on an ephemeral port of 127.0.0.1 (a browser needs a real server), a payout worker on the
 * file's own task queue against the real Mojaloop peer, and a real Chromium driven by Playwright.
 *
 * The Chromium is the one @sparticuz/chromium ships inside its npm package (nothing is downloaded): see
 * ../shared/notes/browser.md. Pages are checked as a person would: by their labels, roles and visible text.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { PayoutAdapter } from '../../activities';
import { db } from './database';
import { createTestApp } from './fixtures';
import {
  adapterClient,
  connectTemporal,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
} from './payoutHarness';

const ROOT = path.resolve(__dirname, '../..');
/**
 * Where the tests leave their screenshots: the test run's scratch folder, or with CONSOLE_SCREENSHOTS=docs the
 * ones the README shows (docs/screenshots), so an ordinary `npm test` leaves the work tree as it was.
 */
function screenshotDirectory(): string {
  if (process.env.CONSOLE_SCREENSHOTS === 'docs') return path.join(ROOT, 'docs', 'screenshots');
  return path.join(process.env.TEST_SCRATCH_DIR ?? path.join(ROOT, 'data'), 'screenshots');
}

/** Flags of @sparticuz/chromium's list that would weaken what the tests check (the page's CSP, same origin). */
const WEAKENING_FLAGS = new Set([
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
  "--headless='shell'",
]);
/** One process for the whole browser (a Lambda's constraint) ends the browser with its first closed context. */
const SINGLE_PROCESS = '--single-process';

export interface ConsoleHarness {
  baseUrl: string;
  browser: Browser;
  temporal: TemporalForTests | null;
  /** A fresh browser context (its own storage: one person at one desk), at 1366×768 unless told. */
  newPage(options?: {
    width?: number;
    height?: number;
  }): Promise<{ context: BrowserContext; page: Page; violations: string[] }>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** A payout worker on the file's task queue (bulks are paid); without, bulks wait unpaid. */
  worker?: boolean;
  /** Wraps the real adapter client, e.g. to hold some lines at a barrier. */
  adapter?: (real: PayoutAdapter) => PayoutAdapter;
  name: string;
}

export async function startConsoleHarness(options: HarnessOptions): Promise<ConsoleHarness> {
  buildConsole();
  const taskQueue = uniqueTaskQueue(options.name);
  let peer: RunningPeer | null = null;
  let temporal: TemporalForTests | null = null;
  let worker: Worker | null = null;
  let workerRun: Promise<void> = Promise.resolve();
  if (options.worker) {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    const real = adapterClient(peer.outboundUrl);
    worker = await payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: options.adapter ? options.adapter(real) : real,
      pension: { proofOfLifeMaxAgeMonths: 12 },
    });
    workerRun = worker.run();
  }

  const { app } = createTestApp({ TEMPORAL_TASK_QUEUE: taskQueue });
  const handle = app.callback();
  const server = http.createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();

  return {
    baseUrl,
    browser,
    temporal,
    async newPage(size = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: { width: size.width ?? 1366, height: size.height ?? 768 },
        acceptDownloads: true,
        locale: 'fr-FR',
      });
      const page = await context.newPage();
      // A page that breaks its own Content-Security-Policy says so in the console: the tests fail on any.
      const violations: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text()))
          violations.push(message.text());
      });
      return { context, page, violations };
    },
    async stop() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await temporal?.close();
      await peer?.stop();
    },
  };
}

/** The console as `npm test` builds it: skipped in a fraction of a second when nothing changed. */
function buildConsole(): void {
  execFileSync('bash', [path.join(ROOT, 'scripts', 'console.sh')], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function launchChromium(): Promise<Browser> {
  // The package is ES modules only, which jest's module system cannot load: a node process of its own unpacks it.
  const launch = JSON.parse(
    execFileSync(process.execPath, [path.join(__dirname, 'chromiumLaunch.mjs')], { cwd: ROOT, encoding: 'utf8' }),
  ) as {
    executablePath: string;
    args: string[];
  };
  return chromium.launch({
    executablePath: launch.executablePath,
    args: launch.args.filter((flag) => !WEAKENING_FLAGS.has(flag) && flag !== SINGLE_PROCESS),
    headless: true,
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const directory = screenshotDirectory();
  mkdirSync(directory, { recursive: true });
  await page.screenshot({ path: path.join(directory, `${name}.png`), fullPage: true });
}

/** Signs in through the login form, as a person does. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}
