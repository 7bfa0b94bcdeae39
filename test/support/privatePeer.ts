/**
 * A Mojaloop peer (the real scheme adapter + Testing Toolkit switch, mojaloop/peer.ts) of a test file's own, on
 * free ports. The fault tests judge "paid exactly once" by the switch's ledger, which lives in the toolkit's
 * memory: the shared peer on 4001 belongs to whichever test run started it and is restarted (its ledger emptied)
 * when that run ends, which on a machine running several suites at once can happen in the middle of a fault test.
 * A private peer lives exactly as long as the test file, so its ledger is complete. It costs a few seconds to start.
 */
import os from 'node:os';
import path from 'node:path';
import { startMojaloopPeer } from '../../mojaloop/peer';
import { freePort } from '../../temporal/devServer';
import { TEST_PEER_REQUEST_TIMEOUT_SECONDS } from '../setup/testEnvironment';

export interface PrivatePeer {
  outboundUrl: string;
  /** The toolkit's admin API: pass it to the peerLedger functions. */
  adminUrl: string;
  stop(): Promise<void>;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export async function startPrivatePeer(name: string, options: { expirySeconds?: number } = {}): Promise<PrivatePeer> {
  const [outboundPort, inboundPort, switchPort, adminPort, metricsPort] = await distinctFreePorts(5);
  const scratch = process.env.TEST_SCRATCH_DIR ?? os.tmpdir();
  const runtimeDir = path.join(scratch, `mojaloop-${name}-${process.pid}`);
  const peer = await startMojaloopPeer({
    runtimeDir,
    dfspId: 'cnssbenin',
    outboundPort,
    inboundPort,
    switchPort,
    adminPort,
    metricsPort,
    // Its own Redis database for the adapter's cached transfers (their keys are unique ids anyway).
    redisUrl: `redis://127.0.0.1:6379/${1 + Math.floor(Math.random() * 15)}`,
    requestTimeoutSeconds: TEST_PEER_REQUEST_TIMEOUT_SECONDS,
    ...(options.expirySeconds !== undefined ? { expirySeconds: options.expirySeconds } : {}),
    logFile: path.join(runtimeDir, 'peer.log'),
  });
  return { outboundUrl: peer.outboundUrl, adminUrl: peer.adminUrl, stop: () => peer.stop() };
}
