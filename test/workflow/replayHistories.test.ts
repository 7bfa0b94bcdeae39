/**
 * Bulks and lines running when a new version is deployed go on under the new code: every history kept in
 * ./histories (recorded before the patches they exercise: see ./histories/README.md) must replay on today's workflows
 * with no nondeterminism, each `patched()` branch taking the old path where the history has no marker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal as proto } from '@temporalio/proto';
import { Runtime, Worker } from '@temporalio/worker';
import { logger } from '../../src/logging/logger';
import { temporalLoggerFor } from '../../src/logging/temporalLogger';

const HISTORIES = path.join(__dirname, 'histories');

function bundlePath(): string {
  const bundle = process.env.WORKFLOW_BUNDLE_PATH;
  if (!bundle) throw new Error('WORKFLOW_BUNDLE_PATH is not set: run the tests through jest (test/setup/services.ts)');
  return bundle;
}

/** Recorded as the client fetches a history: protobuf-encoded (.pb), or its plain object as JSON (.json). */
const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.pb') || file.endsWith('.json'));

function readHistory(file: string): proto.api.history.v1.History {
  const content = readFileSync(path.join(HISTORIES, file));
  // Read with the proto classes: the SDK's JSON reader trips over the several copies of protobufjs npm installs.
  if (file.endsWith('.json')) return proto.api.history.v1.History.fromObject(JSON.parse(content.toString('utf8')));
  return proto.api.history.v1.History.decode(content);
}

describe('recorded histories replay on the current workflows', () => {
  // The SDK's log lines (each replay worker's state changes) through our logger, silent unless TEST_LOG_LEVEL is set.
  beforeAll(() => Runtime.install({ logger: temporalLoggerFor(logger) }));

  it('keeps histories of every kind of workflow the patches touch', () => {
    const recorded = files.filter((file) => file.endsWith('.pb'));
    const kinds = new Set(recorded.map((file) => file.replace(/^.*-(\w+)\.pb$/, '$1')));
    expect([...kinds].sort()).toEqual(['bulkPayoutWorkflow', 'payoutTransferWorkflow']);
  });

  it.each(files)('%s', async (file) => {
    const history = readHistory(file);
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: bundlePath() }, replayName: `replay-${file}` },
      history,
      file.replace(/\.(pb|json)$/, ''),
    );
  });
});
