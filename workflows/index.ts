// The workflows the payout worker registers (this file is the workflow bundle's entry point).
export { bulkPayoutWorkflow } from './payouts/bulkPayoutWorkflow';
export { payoutTransferWorkflow } from './payouts/payoutTransferWorkflow';
export { monthlyPensionRunWorkflow } from './pensions/monthlyPensionRunWorkflow';
export { strandedBulkSweepWorkflow } from './operations/strandedBulkSweepWorkflow';
export { retryFailedTransfersWorkflow } from './operations/retryFailedTransfersWorkflow';
export { webhookDeliveryWorkflow } from './webhooks/webhookDeliveryWorkflow';
export { webhookDeliverySweepWorkflow } from './webhooks/webhookDeliverySweepWorkflow';
