import { preferredLanguage } from '../../src/i18n/language';
import { isMessage, localize } from '../../src/i18n/message';

describe('preferredLanguage', () => {
  it.each([
    ['fr', 'fr'],
    ['en', 'en'],
    ['fr-FR', 'fr'],
    ['en-GB,en;q=0.9', 'en'],
    ['FR-be', 'fr'],
    ['fr-FR;q=0.9, en;q=0.8', 'fr'],
    ['fr-FR;q=0.8, en;q=0.9', 'en'],
    ['de-DE, en;q=0.5, fr;q=0.4', 'en'],
    ['en;q=0.7, fr;q=0.7', 'en'],
    ['en;q=0, fr;q=0.1', 'fr'],
    ['en;Q=1.000', 'en'],
  ] as const)('%s -> %s', (header, expected) => {
    expect(preferredLanguage(header, 'fr')).toBe(expected);
    expect(preferredLanguage(header, 'en')).toBe(expected);
  });

  it.each([undefined, '', '*', 'de', 'de-DE, es;q=0.9', 'en;q=0', 'fra', 'english', 'en;q=abc', 'en;q=2'])(
    'answers the fallback for %p',
    (header) => {
      expect(preferredLanguage(header, 'fr')).toBe('fr');
      expect(preferredLanguage(header, 'en')).toBe('en');
    },
  );
});

describe('localize', () => {
  const issue = {
    line: 3,
    column: 'montant',
    code: 'required',
    message: { fr: 'montant est vide.', en: 'montant is empty.' },
  };

  it('renders every Message, however deep, and leaves the rest as it is', () => {
    const value = { errors: [issue], errors_truncated: true, total: 2, note: null, names: ['fr', 'en'] };
    expect(localize(value, 'fr')).toEqual({ ...value, errors: [{ ...issue, message: 'montant est vide.' }] });
    expect(localize(value, 'en')).toEqual({ ...value, errors: [{ ...issue, message: 'montant is empty.' }] });
  });

  it('takes for a Message only an object with exactly the two string keys fr and en', () => {
    expect(isMessage({ fr: 'a', en: 'b' })).toBe(true);
    for (const other of [{ fr: 'a' }, { fr: 'a', en: 'b', de: 'c' }, { fr: 'a', en: 1 }, ['a', 'b'], 'a', null]) {
      expect(isMessage(other)).toBe(false);
      expect(localize(other, 'fr')).toEqual(other);
    }
  });
});
