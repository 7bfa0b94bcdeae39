/**
 * Histories recorded by earlier versions of the workflows (test/workflow/histories: the bulk workflow and a held
 * line's workflow, their activities mocked as in test/workflow/support/memoryLedger.ts) replay with the current code: a change that adds, removes or reorders
 * commands without `patched()` fails here. Recorded before decision tokens: an approval, a rejection and a hold
 * release each sent with `{"userId": ...}` (accepted then), and a cancel by an operator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';

const HISTORIES = path.join(__dirname, 'histories');
const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };

describe('recorded workflow histories', () => {
  let workflowBundle: { code: string };

  beforeAll(async () => {
    workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: silent });
  });

  it.each(readdirSync(HISTORIES).filter((name) => name.endsWith('.json')))('%s replays', async (name) => {
    // As fetchHistory() gave it, JSON.stringify'd; read with the proto classes (the SDK's historyFromJSON trips over
    // two copies of protobufjs here).
    const history = temporal.api.history.v1.History.fromObject(
      JSON.parse(readFileSync(path.join(HISTORIES, name), 'utf8')),
    );
    await expect(Worker.runReplayHistory({ workflowBundle }, history)).resolves.toBeUndefined();
  });
});
