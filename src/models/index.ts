export { Organization } from './Organization';
export { User, USER_ROLES, type UserRole } from './User';
export { RefreshToken } from './RefreshToken';
export { Account } from './Account';
export { BulkTransfer, BULK_STATES, type BulkState } from './BulkTransfer';
export { IndividualTransfer, TRANSFER_STATUSES, type TransferStatus } from './IndividualTransfer';
