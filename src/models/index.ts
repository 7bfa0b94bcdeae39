export { Organization } from './Organization';
export { User, USER_ROLES, type UserRole } from './User';
export { RefreshToken } from './RefreshToken';
export { Account } from './Account';
export { BULK_STATES, type BulkState } from './BulkTransfer';
