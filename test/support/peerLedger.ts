/**
 * Counts payments AT THE PEER, not in our database. The switch (the Testing Toolkit running mojaloop/rules)
 * records every FSPIOP POST /transfers it answers, keyed by transfer id, in its inbound environment:
 *   pp.ledger[transferId] = JSON { state: COMMITTED | ABORTED, completedTimestamp, homeTransactionId, payee,
 *                                  amount, currency, payeeFsp }
 * homeTransactionId comes from the transfer's extensionList (our client sends it), payee from the quote of the
 * same transaction (the adapter uses its transfer id as the quote's transactionId). We read it through the
 * toolkit's admin API: GET {adminUrl}/api/objectstore/inboundEnvironment.
 *
 * Why not the adapter's Redis (transferModel_out_{id})? The adapter's GET /transfers/{id} overwrites that key
 * with a bare model (no homeTransactionId), exactly when our code resolves an unknown outcome.
 */
const DEFAULT_ADMIN_URL = process.env.PEER_ADMIN_URL ?? 'http://127.0.0.1:5050';

export interface PeerLedgerEntry {
  transferId: string;
  /** The switch's word: COMMITTED, ABORTED, or a state between (RESERVED, ...). */
  state: string;
  completedTimestamp: string | null;
  homeTransactionId: string | null;
  payee: string | null;
  /** Major-unit decimal string, as sent in the FSPIOP transfer. */
  amount: string | null;
  currency: string | null;
  payeeFsp: string | null;
}

export interface CommittedTransfer {
  transferId: string;
  payeeIdentifier: string;
  homeTransactionId: string | null;
}

/** Every transfer the switch has answered since it started (committed or aborted). */
export async function readPeerLedger(adminUrl: string = DEFAULT_ADMIN_URL): Promise<PeerLedgerEntry[]> {
  const response = await fetch(`${adminUrl}/api/objectstore/inboundEnvironment`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`Peer ledger: ${adminUrl} answered ${response.status}`);
  const environment = (await response.json()) as { pp?: { ledger?: Record<string, unknown> } };
  const ledger = environment.pp?.ledger;
  if (!ledger) throw new Error(`Peer ledger: no pp.ledger at ${adminUrl} (is the toolkit running mojaloop/rules?)`);
  return Object.entries(ledger).map(([transferId, raw]) => {
    const entry = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return {
      transferId,
      state: text(entry.state) ?? 'UNKNOWN',
      completedTimestamp: text(entry.completedTimestamp),
      homeTransactionId: text(entry.homeTransactionId),
      payee: text(entry.payee),
      amount: text(entry.amount),
      currency: text(entry.currency),
      payeeFsp: text(entry.payeeFsp),
    };
  });
}

async function committedAtSwitch(adminUrl: string = DEFAULT_ADMIN_URL): Promise<CommittedTransfer[]> {
  return (await readPeerLedger(adminUrl))
    .filter((entry) => entry.state === 'COMMITTED')
    .map((entry) => ({
      transferId: entry.transferId,
      payeeIdentifier: entry.payee ?? '',
      homeTransactionId: entry.homeTransactionId,
    }));
}

/** How many transfers the switch committed to each of these payees (0 when none). */
export async function countCommittedPaymentsByPayee(
  payeeIdentifiers: string[],
  adminUrl: string = DEFAULT_ADMIN_URL,
): Promise<Map<string, number>> {
  return countBy(payeeIdentifiers, (transfer) => transfer.payeeIdentifier, adminUrl);
}

/** How many transfers the switch committed for each of these homeTransactionIds (0 when none). */
export async function countCommittedTransfersByHomeTransactionId(
  homeTransactionIds: string[],
  adminUrl: string = DEFAULT_ADMIN_URL,
): Promise<Map<string, number>> {
  return countBy(homeTransactionIds, (transfer) => transfer.homeTransactionId, adminUrl);
}

async function countBy(
  keys: string[],
  keyOf: (transfer: CommittedTransfer) => string | null,
  adminUrl: string,
): Promise<Map<string, number>> {
  const counts = new Map(keys.map((key) => [key, 0]));
  for (const transfer of await committedAtSwitch(adminUrl)) {
    const key = keyOf(transfer);
    const current = key === null ? undefined : counts.get(key);
    if (current !== undefined) counts.set(key!, current + 1);
  }
  return counts;
}

/**
 * A member of the 22990000504 family (229900005040000-229900005049999) whose next lookup at the switch gets no
 * answer: one not in the rules' `recovering504` list (its last lookup, if any, was answered). Read from the
 * switch's state rather than assumed, so a peer reused across runs still gives a timeout first.
 */
export async function payeeWhoseNextLookupTimesOut(adminUrl: string = DEFAULT_ADMIN_URL): Promise<string> {
  const response = await fetch(`${adminUrl}/api/objectstore/inboundEnvironment`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`Peer state: ${adminUrl} answered ${response.status}`);
  const environment = (await response.json()) as { pp?: { recovering504?: string[] } };
  const recovering = new Set(environment.pp?.recovering504 ?? []);
  for (;;) {
    const candidate = `22990000504${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    if (!recovering.has(candidate) && !handedOut.has(candidate)) {
      handedOut.add(candidate);
      return candidate;
    }
  }
}
const handedOut = new Set<string>();
