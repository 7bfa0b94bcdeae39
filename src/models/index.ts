export { Organization } from './Organization';
export { User, USER_ROLES, type UserRole } from './User';
export { RefreshToken } from './RefreshToken';
export { Account } from './Account';
export { BULK_STATES, type BulkState } from './BulkTransfer';
// The line statuses are domain rules (src/payouts/rules/transferStates.ts); re-exported for the API's OpenAPI description.
export { TRANSFER_STATUSES } from '../payouts/rules/transferStates';
