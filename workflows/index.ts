// Workflow entry points registered with the worker (placeholder until the payout workflows land).
export async function bulkPayoutWorkflow(_bulkId: string): Promise<void> {
  return;
}
