// The workflows the payout worker registers (this file is the workflow bundle's entry point).
export { bulkPayoutWorkflow } from './bulkPayoutWorkflow';
export { payoutTransferWorkflow } from './payoutTransferWorkflow';
export { monthlyPensionRunWorkflow } from './monthlyPensionRunWorkflow';
export { strandedBulkSweepWorkflow } from './strandedBulkSweepWorkflow';
export { retryFailedTransfersWorkflow } from './retryFailedTransfersWorkflow';
export { webhookDeliveryWorkflow } from './webhookDeliveryWorkflow';
export { webhookDeliverySweepWorkflow } from './webhookDeliverySweepWorkflow';
