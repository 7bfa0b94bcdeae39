import {
  bestNameSimilarity,
  isSameName,
  jaroWinkler,
  nameSimilarity,
  nameWords,
  nameCheckPassed,
  payeeNameVerdict,
} from '../../src/payouts/rules/payeeNameMatch';

describe('nameWords: the words a name is compared by', () => {
  it('drops accents, case, punctuation and honorifics', () => {
    expect(nameWords('  TRAORÉ, Awa ')).toEqual(['traore', 'awa']);
    expect(nameWords('Mme Adjoa-Houngbédji')).toEqual(['adjoa', 'houngbedji']);
    expect(nameWords('M. K. Mensah')).toEqual(['m', 'k', 'mensah']);
    expect(nameWords('')).toEqual([]);
  });
});

describe('jaroWinkler', () => {
  it('gives the published values', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.813, 3);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('same', 'same')).toBe(1);
  });
});

describe('nameSimilarity: is the wallet owner the pensioner', () => {
  it('matches the same person whatever the order, case, accents and punctuation', () => {
    expect(nameSimilarity('TRAORE Awa', 'Awa Traoré')).toBe(1);
    expect(nameSimilarity('Traoré, Awa', 'AWA TRAORE')).toBe(1);
  });

  it('matches initials and an extra middle name', () => {
    expect(nameSimilarity('A. Traoré', 'Awa Traoré')).toBe(1);
    expect(nameSimilarity('Traoré Awa', 'Awa Mariam Traoré')).toBe(1);
  });

  it('forgives a typo and a compound name written in one word', () => {
    expect(nameSimilarity('Awa Taore', 'Awa Traoré')).toBeGreaterThan(0.9);
    expect(nameSimilarity('Abdoulkarim Bio', 'Abdoul Karim Bio')).toBeGreaterThan(0.9);
  });

  it('scores another person low', () => {
    expect(nameSimilarity('Koffi Mensah', 'Awa Traoré')).toBe(0);
    expect(nameSimilarity('Awa Dossou', 'Awa Traoré')).toBe(0.5);
  });

  it('does not take a first name alone for the whole name', () => {
    expect(nameSimilarity('Awa', 'Awa Traoré')).toBe(0.5);
    expect(nameSimilarity('Awa', 'awa')).toBe(1);
  });

  it('scores a name with no words 0', () => {
    expect(nameSimilarity('', 'Awa Traoré')).toBe(0);
    expect(nameSimilarity('Awa Traoré', '---')).toBe(0);
  });
});

describe('bestNameSimilarity and isSameName', () => {
  it('keeps the candidate most like the expected name', () => {
    expect(bestNameSimilarity('Awa Traoré', ['A T', 'Traore Awa'])).toEqual({ score: 1, name: 'Traore Awa' });
    expect(bestNameSimilarity('Awa Traoré', [])).toBeNull();
  });

  it('says two spellings of one name are the same, not a reordering', () => {
    expect(isSameName('Awa TRAORÉ', 'awa traore')).toBe(true);
    expect(isSameName('Traoré Awa', 'Awa Traoré')).toBe(false);
  });

  it('never takes a name with no words for any name, itself included', () => {
    expect(isSameName('***', '—')).toBe(false);
    expect(isSameName('', '')).toBe(false);
    expect(isSameName('Mme', 'Dr.')).toBe(false);
    expect(isSameName('***', 'Awa Traoré')).toBe(false);
  });
});

describe('payeeNameVerdict: what discovery does with the names', () => {
  const threshold = 0.85;
  it('checks nothing without an expected name', () => {
    expect(payeeNameVerdict({ expectedName: null, releasedName: null }, ['Awa Traoré'], threshold)).toEqual({
      kind: 'unchecked',
    });
  });

  it('matches the pensioner, holds anyone else, and holds a party the switch did not name', () => {
    const line = { expectedName: 'TRAORE Awa', releasedName: null };
    expect(payeeNameVerdict(line, ['Awa Traoré'], threshold)).toEqual({ kind: 'matched', score: 1 });
    expect(payeeNameVerdict({ ...line, expectedName: 'Koffi Mensah' }, ['Awa Traoré'], threshold).kind).toBe(
      'mismatch',
    );
    expect(payeeNameVerdict(line, [], threshold)).toEqual({ kind: 'mismatch', score: 0 });
  });

  it('passes the owner a release accepted, and only that owner', () => {
    const released = { expectedName: 'Koffi Mensah', releasedName: 'Awa Traoré' };
    expect(payeeNameVerdict(released, ['AWA TRAORE'], threshold).kind).toBe('matched');
    expect(payeeNameVerdict(released, ['Pensionne 22990000421'], threshold).kind).toBe('mismatch');
  });

  it('does not pass a wordless owner because the released name had no words either', () => {
    const released = { expectedName: 'Koffi Mensah', releasedName: '***' };
    expect(payeeNameVerdict(released, ['—'], threshold)).toEqual({ kind: 'mismatch', score: 0 });
    const recorded = { expectedName: 'Koffi Mensah', releasedName: '***', payeeName: '...', score: 0 };
    expect(nameCheckPassed(recorded, threshold)).toBe(false);
  });
});

describe('nameCheckPassed: the transfer step checks the recorded name again', () => {
  const base = { expectedName: 'Koffi Mensah', releasedName: null, payeeName: 'Awa Traoré', score: 0.2 };
  it('refuses a mismatch, and a checked line with no score recorded', () => {
    expect(nameCheckPassed(base, 0.85)).toBe(false);
    expect(nameCheckPassed({ ...base, score: null }, 0.85)).toBe(false);
  });
  it('passes a match, a line without expected name, and the released owner', () => {
    expect(nameCheckPassed({ ...base, score: 0.9 }, 0.85)).toBe(true);
    expect(nameCheckPassed({ ...base, expectedName: null, score: null }, 0.85)).toBe(true);
    expect(nameCheckPassed({ ...base, releasedName: 'AWA TRAORE' }, 0.85)).toBe(true);
  });
});
