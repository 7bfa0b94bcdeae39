/**
 * Which language to answer in, from the request's Accept-Language (RFC 9110 §12.5.4): the supported language
 * with the highest q-value wins; a tie goes to the one listed first; nothing supported means the fund's default.
 */
import type { Language } from './message';

export function preferredLanguage(acceptLanguageHeader: string | undefined, fallback: Language): Language {
  let best: { language: Language; quality: number } | null = null;
  for (const range of (acceptLanguageHeader ?? '').split(',')) {
    const choice = parseRange(range);
    if (choice === null || choice.quality <= 0) continue;
    if (best === null || choice.quality > best.quality) best = choice;
  }
  return best?.language ?? fallback;
}

/** `fr-FR;q=0.9` -> fr at 0.9; a range of another language, `*` or a malformed one -> null. */
function parseRange(range: string): { language: Language; quality: number } | null {
  const [tag = '', ...parameters] = range.split(';').map((part) => part.trim());
  const language = languageOfTag(tag.toLowerCase());
  if (language === null) return null;
  let quality = 1;
  for (const parameter of parameters) {
    const match = /^q\s*=\s*([01](?:\.\d{0,3})?)$/i.exec(parameter);
    if (match) quality = Number(match[1]);
    else if (/^q\s*=/i.test(parameter)) return null;
  }
  return { language, quality: Math.min(quality, 1) };
}

function languageOfTag(tag: string): Language | null {
  if (tag === 'fr' || tag.startsWith('fr-')) return 'fr';
  if (tag === 'en' || tag.startsWith('en-')) return 'en';
  return null;
}
