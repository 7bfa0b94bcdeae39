/**
 * Does the wallet's owner, as the Mojaloop switch names them, look like the pensioner the fund means to pay? Pure
 * functions, no I/O: the discovery step scores the names and holds the line below the configured threshold.
 *
 * The algorithm, so an officer can predict it:
 * 1. Normalise each name: accents removed (NFD), lower case, punctuation as spaces, honorifics (M., Mme, Dr...)
 *    dropped; what is left is a list of words ("TRAORÉ, Awa" -> traore awa).
 * 2. Pair the words of the two names one to one, best pairs first, whatever their order. Two words score their
 *    Jaro-Winkler similarity (1 = equal; a typo costs a few hundredths), or 0 below 0.8 (different words); an
 *    initial ("A.") scores 1 against any word it begins.
 * 3. The score is the paired words' sum divided by the shorter name's word count (an extra middle name on one side
 *    costs nothing), but never by less than two words when one name has two or more: "Awa" alone is not "Awa
 *    Traoré" (0.5). Initials alone, with no whole word in common, score at most 0.5.
 * 4. Names of different word counts are also compared glued together ("Abdoulkarim" against "Abdoul Karim") when
 *    of about the same length (within 20 %); the better score is kept.
 */

/** Words that say nothing of who the person is. */
const HONORIFICS: ReadonlySet<string> = new Set(['mme', 'mlle', 'mr', 'mrs', 'ms', 'dr', 'monsieur', 'madame', 'me']);

export function nameWords(name: string): string[] {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .split(' ')
    .filter((word) => word !== '' && !HONORIFICS.has(word));
}

/** The similarity of two names, from 0 (nothing alike) to 1 (the same words), rounded to 0.01. */
export function nameSimilarity(expected: string, found: string): number {
  const a = nameWords(expected);
  const b = nameWords(found);
  if (a.length === 0 || b.length === 0) return 0;
  const byWords = pairedWordsScore(a, b);
  const gluedA = a.join('');
  const gluedB = b.join('');
  // Only for names split differently (word counts differ) of about the same length: a common prefix alone ("awa" in
  // "awatraore") must not pass for a name, and names of as many words are compared word by word.
  const comparable =
    a.length !== b.length && Math.min(gluedA.length, gluedB.length) >= 0.8 * Math.max(gluedA.length, gluedB.length);
  const glued = comparable ? jaroWinkler(gluedA, gluedB) : 0;
  return Math.round(Math.max(byWords, glued) * 100) / 100;
}

/** The best of several names the switch gave for one party (display name, full name): the one most like ours. */
export function bestNameSimilarity(
  expected: string,
  candidates: readonly string[],
): { score: number; name: string } | null {
  let best: { score: number; name: string } | null = null;
  for (const name of candidates) {
    const score = nameSimilarity(expected, name);
    if (best === null || score > best.score) best = { score, name };
  }
  return best;
}

/**
 * Two names that normalise to the same words in the same order (a released party's name found again). A name
 * with no words ("***", "—", an honorific alone) names nobody, so it is the same as no name, itself included.
 */
export function isSameName(a: string, b: string): boolean {
  const wordsA = nameWords(a);
  return wordsA.length > 0 && wordsA.join(' ') === nameWords(b).join(' ');
}

function pairedWordsScore(a: readonly string[], b: readonly string[]): number {
  const pairs: Array<{ i: number; j: number; score: number }> = [];
  a.forEach((left, i) => b.forEach((right, j) => pairs.push({ i, j, score: wordSimilarity(left, right) })));
  pairs.sort((x, y) => y.score - x.score);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  let sum = 0;
  let wholeWordsMatched = 0;
  for (const pair of pairs) {
    if (usedA.has(pair.i) || usedB.has(pair.j)) continue;
    usedA.add(pair.i);
    usedB.add(pair.j);
    sum += pair.score;
    if (pair.score > 0 && a[pair.i]!.length > 1 && b[pair.j]!.length > 1) wholeWordsMatched++;
  }
  const shorter = Math.min(a.length, b.length);
  const longer = Math.max(a.length, b.length);
  const denominator = longer >= 2 ? Math.max(shorter, 2) : shorter;
  // Initials alone ("A. T.") say too little: without one whole word in common, never more than half.
  return wholeWordsMatched === 0 ? Math.min(0.5, sum / denominator) : sum / denominator;
}

/** Below this two words are different words, not one word misspelt: Jaro-Winkler alone rates "mensah" and "traore" 0.5. */
const SAME_WORD_MIN = 0.8;

function wordSimilarity(a: string, b: string): number {
  if (a.length === 1 || b.length === 1) return a[0] === b[0] ? 1 : 0;
  const similarity = jaroWinkler(a, b);
  return similarity >= SAME_WORD_MIN ? similarity : 0;
}

/** Jaro-Winkler similarity (Winkler 1990): Jaro's matches and transpositions, plus a bonus for a common prefix of up to 4. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const matchedA = new Array<boolean>(a.length).fill(false);
  const matchedB = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(b.length - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (matchedB[j] || a[i] !== b[j]) continue;
      matchedA[i] = true;
      matchedB[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    if (!matchedA[i]) continue;
    while (!matchedB[j]) j++;
    if (a[i] !== b[j]) transpositions++;
    j++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < Math.min(4, a.length, b.length) && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** What the check concludes for one line: nothing to check, the owner is the pensioner, or a hold. */
export type NameVerdict =
  { kind: 'unchecked' } | { kind: 'matched'; score: number } | { kind: 'mismatch'; score: number };

/**
 * `expectedName`: the roll's or the upload's name (null: the line is not checked). `releasedName`: the owner a
 * GESTIONNAIRE accepted for this line; found again, it passes whatever its score. A switch that names nobody is a
 * mismatch (score 0): a name that cannot be checked is not taken as checked.
 */
export function payeeNameVerdict(
  line: { expectedName: string | null; releasedName: string | null },
  names: readonly string[],
  threshold: number,
): NameVerdict {
  if (line.expectedName === null) return { kind: 'unchecked' };
  const best = bestNameSimilarity(line.expectedName, names);
  const score = best?.score ?? 0;
  const { releasedName } = line;
  if (releasedName !== null && names.some((name) => isSameName(name, releasedName))) return { kind: 'matched', score };
  return score >= threshold ? { kind: 'matched', score } : { kind: 'mismatch', score };
}

/** What the step that moves money checks again, from what discovery recorded: the owner passed, or was released. */
export function nameCheckPassed(
  line: { expectedName: string | null; releasedName: string | null; payeeName: string | null; score: number | null },
  threshold: number,
): boolean {
  if (line.expectedName === null) return true;
  const { releasedName, payeeName } = line;
  if (releasedName !== null && payeeName !== null && isSameName(payeeName, releasedName)) return true;
  return line.score !== null && line.score >= threshold;
}
