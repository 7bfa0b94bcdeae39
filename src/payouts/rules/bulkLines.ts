/**
 * The valid lines of an uploaded file, held compactly until they are stored: one array per column rather than
 * one object per line, so 100,000 lines stay a few megabytes. The arrays are also what a batched INSERT takes.
 */
import type { PartyIdType } from '../../domain/partyIdTypes';

export class BulkLines {
  readonly lineNumbers: number[] = [];
  readonly partyIdTypes: PartyIdType[] = [];
  readonly identifiers: string[] = [];
  /** Minor units. */
  readonly amounts: bigint[] = [];
  /** The name the payee name check expects (the upload's `nom`, a run's roll full_name), or null. */
  readonly expectedNames: Array<string | null> = [];
  private runningTotal = 0n;
  // Identifier -> index of the first line paying it, to warn about lines repeated by mistake: keyed by the
  // identifier string the line already holds (no key built per line, the cost of reading a large file).
  private readonly firstLineOfPayee = new Map<string, number>();
  // Type + identifier + amount -> the first line paying it, for payees paid by more than one line.
  private readonly firstLineOfPayment = new Map<string, number>();

  get count(): number {
    return this.lineNumbers.length;
  }

  /** Minor units. */
  get total(): bigint {
    return this.runningTotal;
  }

  /** Adds a line; returns the earlier line paying the same payee the same amount, if there is one. */
  add(
    lineNumber: number,
    partyIdType: PartyIdType,
    identifier: string,
    amount: bigint,
    expectedName: string | null = null,
  ): number | null {
    this.lineNumbers.push(lineNumber);
    this.partyIdTypes.push(partyIdType);
    this.identifiers.push(identifier);
    this.amounts.push(amount);
    this.expectedNames.push(expectedName);
    this.runningTotal += amount;

    const first = this.firstLineOfPayee.get(identifier);
    if (first === undefined) {
      this.firstLineOfPayee.set(identifier, this.lineNumbers.length - 1);
      return null;
    }
    if (this.partyIdTypes[first] === partyIdType && this.amounts[first] === amount) return this.lineNumbers[first]!;
    // The same identifier with another type or amount: not the same payment as its first line; maybe as another.
    const key = `${partyIdType}\u0000${identifier}\u0000${amount}`;
    const earlier = this.firstLineOfPayment.get(key);
    if (earlier !== undefined) return earlier;
    this.firstLineOfPayment.set(key, lineNumber);
    return null;
  }
}
