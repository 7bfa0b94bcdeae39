import { type BeneficiaryTerms, eligibilityFor } from '../../src/pensions/rules/pensionEligibility';
import { dayIn, isCalendarDate, monthsBefore, periodBounds, periodOf } from '../../src/pensions/rules/pensionPeriod';
import { readPensionRollCsv } from '../../src/pensions/rules/rollCsv';

const rules = { period: '2026-11', proofOfLifeMaxAgeMonths: 12, payerCurrency: 'XOF' };
const active: BeneficiaryTerms = {
  status: 'ACTIVE',
  currency: 'XOF',
  startDate: '2020-01-01',
  endDate: null,
  lastProofOfLife: '2026-06-15',
};

describe('pension eligibility', () => {
  it('pays an active beneficiary within dates with a recent proof of life', () => {
    expect(eligibilityFor(active, rules)).toEqual({ eligible: true });
    expect(eligibilityFor({ ...active, startDate: null }, rules)).toEqual({ eligible: true });
  });

  it.each([
    [{ status: 'SUSPENDED' }, 'suspended'],
    [{ status: 'DECEASED' }, 'deceased'],
    [{ status: 'ENDED' }, 'ended'],
    [{ endDate: '2026-10-31' }, 'ended'],
    [{ startDate: '2026-12-01' }, 'not_started'],
    [{ lastProofOfLife: null }, 'proof_of_life_missing'],
    [{ lastProofOfLife: '2025-10-31' }, 'proof_of_life_expired'],
    [{ currency: 'EUR' }, 'currency_mismatch'],
  ] as Array<[Partial<BeneficiaryTerms>, string]>)('holds out %o as %s', (change, reason) => {
    expect(eligibilityFor({ ...active, ...change }, rules)).toEqual({ eligible: false, reason });
  });

  it('counts the period as a whole month: started during it, or ending during it, is paid', () => {
    expect(eligibilityFor({ ...active, startDate: '2026-11-30' }, rules)).toEqual({ eligible: true });
    expect(eligibilityFor({ ...active, endDate: '2026-11-01' }, rules)).toEqual({ eligible: true });
  });

  it('accepts a proof of life exactly the maximum age old at the period start, and follows the setting', () => {
    expect(eligibilityFor({ ...active, lastProofOfLife: '2025-11-01' }, rules)).toEqual({ eligible: true });
    expect(
      eligibilityFor({ ...active, lastProofOfLife: '2026-06-15' }, { ...rules, proofOfLifeMaxAgeMonths: 3 }),
    ).toEqual({
      eligible: false,
      reason: 'proof_of_life_expired',
    });
  });

  it('gives the gravest reason first', () => {
    expect(eligibilityFor({ ...active, status: 'DECEASED', lastProofOfLife: null }, rules)).toEqual({
      eligible: false,
      reason: 'deceased',
    });
    expect(eligibilityFor({ ...active, status: 'SUSPENDED', lastProofOfLife: null }, rules)).toEqual({
      eligible: false,
      reason: 'suspended',
    });
  });
});

describe('pension periods', () => {
  it('names the month in the organization time zone, not UTC', () => {
    // 23:30 UTC on Oct 31 is already Nov 1 in Porto-Novo (UTC+1).
    expect(periodOf(new Date('2026-10-31T23:30:00Z'), 'Africa/Porto-Novo')).toBe('2026-11');
    expect(periodOf(new Date('2026-10-31T23:30:00Z'), 'UTC')).toBe('2026-10');
    expect(dayIn(new Date('2026-12-31T23:30:00Z'), 'Africa/Porto-Novo')).toBe('2027-01-01');
  });

  it('computes bounds and month arithmetic', () => {
    expect(periodBounds('2028-02')).toEqual({ first: '2028-02-01', last: '2028-02-29' });
    expect(monthsBefore('2026-03-31', 1)).toBe('2026-02-28');
    expect(monthsBefore('2026-11-01', 12)).toBe('2025-11-01');
    expect(monthsBefore('2026-01-15', 13)).toBe('2024-12-15');
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-02-28')).toBe(true);
  });
});

describe('pension roll file', () => {
  const options = {
    payerCurrencies: ['XOF'],
    maxAmountPerLine: 5_000_000n,
    maxRows: 100,
    maxErrorsReported: 100,
    today: '2026-11-28',
  };
  const read = (text: string) => readPensionRollCsv(Buffer.from(text), options);

  it('reads required and optional columns, any order and case, with ; separators', () => {
    const result = read(
      'NOM_COMPLET;type_id;valeur_id;devise;montant_mensuel;date_fin;statut\nAwa  Dossou;msisdn;22997000001;xof;45000;;suspended\n',
    );
    expect(result).toEqual({
      ok: true,
      entries: [
        {
          line: 2,
          partyIdType: 'MSISDN',
          identifier: '22997000001',
          fullName: 'Awa Dossou',
          currency: 'XOF',
          monthlyAmount: 45000n,
          status: 'SUSPENDED',
        },
      ],
    });
  });

  it('reports every problem with its line and column', () => {
    const result = read(
      [
        'type_id,valeur_id,nom_complet,devise,montant_mensuel,statut,derniere_preuve_de_vie,date_debut,date_fin',
        'MSISDN,22997000001,Awa,XOF,45000,ACTIVE,2026-01-10,2020-01-01,',
        'PHONE,0123,,EUR,10.5,ALIVE,2026-11-29,2026-02-30,',
        'MSISDN,22997000002,Koffi,XOF,-3,,,2026-05-01,2026-04-01',
        'MSISDN,22997000001,Awa bis,XOF,1000,,,,',
        'MSISDN,22997000003,Short',
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.code).toBe('invalid_file');
    const errors = (result.failure.details!.errors as Array<{ line: number; column: string | null; code: string }>).map(
      ({ line, column, code }) => ({ line, column, code }),
    );
    expect(errors).toEqual([
      { line: 3, column: 'type_id', code: 'invalid_type_id' },
      { line: 3, column: 'nom_complet', code: 'required' },
      { line: 3, column: 'devise', code: 'currency_mismatch' },
      { line: 3, column: 'statut', code: 'invalid_status' },
      { line: 3, column: 'derniere_preuve_de_vie', code: 'date_in_future' },
      { line: 3, column: 'date_debut', code: 'invalid_date' },
      { line: 4, column: 'montant_mensuel', code: 'invalid_amount' },
      { line: 4, column: 'date_fin', code: 'end_before_start' },
      { line: 5, column: 'valeur_id', code: 'duplicate_beneficiary' },
      { line: 6, column: null, code: 'wrong_column_count' },
    ]);
  });

  it('refuses a header without a required column, and an empty file', () => {
    const result = read('type_id,valeur_id,devise,montant_mensuel\nMSISDN,22997000001,XOF,100\n');
    expect(result).toMatchObject({ ok: false, failure: { code: 'invalid_header' } });
    if (!result.ok)
      expect(result.failure.message).toEqual({
        fr: expect.stringContaining('nom_complet'),
        en: expect.stringContaining('nom_complet'),
      });
    expect(read('')).toMatchObject({ ok: false, failure: { code: 'empty_file' } });
    expect(read('type_id,valeur_id,nom_complet,devise,montant_mensuel\n')).toMatchObject({
      ok: false,
      failure: { code: 'no_rows' },
    });
  });
});
