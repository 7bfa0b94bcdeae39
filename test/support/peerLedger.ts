/**
 * Counts payments AT THE PEER, not in our database: the switch (the Testing Toolkit with mojaloop/rules)
 * remembers every transfer it committed with its payee, as "transferId:payeeIdentifier," entries.
 * Tests that must prove "each line paid exactly once" give each line its own payee identifier.
 */
const TOOLKIT_ADMIN_URL = 'http://127.0.0.1:5050';

export interface CommittedTransfer {
  transferId: string;
  payeeIdentifier: string;
}

export async function committedAtSwitch(): Promise<CommittedTransfer[]> {
  const response = await fetch(`${TOOLKIT_ADMIN_URL}/api/objectstore/inboundEnvironment`);
  const environment = (await response.json()) as { committedTransferIds?: string };
  return (environment.committedTransferIds ?? '')
    .split(',')
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const [transferId, payeeIdentifier = ''] = entry.split(':');
      return { transferId, payeeIdentifier };
    });
}

/** How many transfers the switch committed to each of these payees (0 when none). */
export async function countCommittedPaymentsByPayee(payeeIdentifiers: string[]): Promise<Map<string, number>> {
  const counts = new Map(payeeIdentifiers.map((identifier) => [identifier, 0]));
  for (const transfer of await committedAtSwitch()) {
    const current = counts.get(transfer.payeeIdentifier);
    if (current !== undefined) counts.set(transfer.payeeIdentifier, current + 1);
  }
  return counts;
}
