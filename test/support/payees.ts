import { randomInt } from 'node:crypto';

/** `Count` strings, as a tuple, so that `const [a, b] = uniqueMsisdns(2)` gives two strings. */
type Strings<Count extends number, Built extends string[] = []> = Built['length'] extends Count
  ? Built
  : Strings<Count, [...Built, string]>;

/**
 * Consecutive payee MSISDNs that no earlier run used: the peer remembers every payment ever made, so fresh payees
 * make "paid once" countable. Random within a range the toolkit's special payees (2299000xxxx) never reach.
 */
export function uniqueMsisdns<const Count extends number>(count: Count): Strings<Count> {
  const base = 22960000000 + randomInt(0, 9_000_000) * 10;
  return Array.from({ length: count }, (_, index) => String(base + index)) as Strings<Count>;
}

/**
 * The name the Mojaloop peer gives the owner of every wallet but its named ones (mojaloop/README.md): a roll or a
 * `nom` column naming a payee so passes the payee name check, as a pensioner's real name on a real switch would.
 */
export function walletOwnerName(msisdn: string): string {
  return `Pensionne ${msisdn}`;
}
