/**
 * Bulks and lines running when a new version is deployed go on under the new code: every history kept in
 * ./histories (recorded before the patches they exercise: see ./histories/README.md) must replay on today's workflows
 * with no nondeterminism, each `patched()` branch taking the old path where the history has no marker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal as proto } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

const HISTORIES = path.join(__dirname, 'histories');

function bundlePath(): string {
  const bundle = process.env.WORKFLOW_BUNDLE_PATH;
  if (!bundle)
    throw new Error('WORKFLOW_BUNDLE_PATH is not set: run the tests through jest (test/setup/globalSetup.ts)');
  return bundle;
}

const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.pb'));

describe('recorded histories replay on the current workflows', () => {
  it('keeps histories of every kind of workflow the patches touch', () => {
    const kinds = new Set(files.map((file) => file.replace(/^.*-(\w+)\.pb$/, '$1')));
    expect([...kinds].sort()).toEqual(['bulkPayoutWorkflow', 'payoutTransferWorkflow']);
  });

  it.each(files)('%s', async (file) => {
    const history = proto.api.history.v1.History.decode(readFileSync(path.join(HISTORIES, file)));
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: bundlePath() }, replayName: `replay-${file}` },
      history,
      file.replace(/\.pb$/, ''),
    );
  });
});
