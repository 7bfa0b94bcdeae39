// The workflows the worker registers, by concern (this file is the workflow bundle's entry point). An exported name
// is the workflow's type, recorded in every history: never rename one.
export { bulkPayoutWorkflow } from './payouts/bulkPayoutWorkflow';
export { payoutTransferWorkflow } from './payouts/payoutTransferWorkflow';
export { monthlyPensionRunWorkflow } from './pensions/monthlyPensionRunWorkflow';
export { strandedBulkSweepWorkflow } from './operations/strandedBulkSweepWorkflow';
export { retryFailedTransfersWorkflow } from './operations/retryFailedTransfersWorkflow';
export { webhookDeliveryWorkflow } from './webhooks/webhookDeliveryWorkflow';
export { webhookDeliverySweepWorkflow } from './webhooks/webhookDeliverySweepWorkflow';
