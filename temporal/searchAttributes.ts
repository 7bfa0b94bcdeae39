/**
 * Custom search attributes operators use in the Web UI to find a bulk or a single payout.
 * Registered by the dev server at start (temporal/devServer.ts); on a production cluster run once:
 *   temporal operator search-attribute create --name BulkId --type Keyword   (and so on for each)
 */
export const SEARCH_ATTRIBUTES = {
  BulkId: 'Keyword',
  OrganizationCode: 'Keyword',
  PayeeIdentifier: 'Keyword',
  PayoutStatus: 'Keyword',
} as const;
