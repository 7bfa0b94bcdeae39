/** The Mojaloop party identifier types a payout line may name. */
export const PARTY_ID_TYPES = [
  'MSISDN',
  'PERSONAL_ID',
  'BUSINESS',
  'DEVICE',
  'ACCOUNT_ID',
  'IBAN',
  'ALIAS',
  'EMAIL',
] as const;
export type PartyIdType = (typeof PARTY_ID_TYPES)[number];

export function isPartyIdType(value: string): value is PartyIdType {
  return (PARTY_ID_TYPES as readonly string[]).includes(value);
}
