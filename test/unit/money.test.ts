import fc from 'fast-check';
import {
  currencyExponent,
  formatMinorUnits,
  isKnownCurrency,
  MoneyFormatError,
  parseMajorUnits,
  sumMinorUnits,
} from '../../src/domain/money';

function parseError(text: string, currency: string): string {
  try {
    parseMajorUnits(text, currency);
  } catch (error) {
    if (error instanceof MoneyFormatError) return error.code;
    throw error;
  }
  throw new Error(`"${text}" ${currency} was accepted`);
}

describe('currencies', () => {
  it('knows the ISO 4217 exponents: XOF 0, USD 2, KWD 3', () => {
    expect(currencyExponent('XOF')).toBe(0);
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('KWD')).toBe(3);
    expect(isKnownCurrency('XOF')).toBe(true);
    expect(isKnownCurrency('xof')).toBe(false);
    expect(isKnownCurrency('toString')).toBe(false);
    expect(() => currencyExponent('ABC')).toThrow(MoneyFormatError);
  });
});

describe('parseMajorUnits', () => {
  it('reads XOF as whole francs, with no decimals but harmless trailing zeros', () => {
    expect(parseMajorUnits('1500', 'XOF')).toBe(1500n);
    expect(parseMajorUnits('1500.000', 'XOF')).toBe(1500n);
    expect(parseError('1500.5', 'XOF')).toBe('too_many_decimals');
  });

  it('reads 2- and 3-decimal currencies exactly, padding missing decimals', () => {
    expect(parseMajorUnits('12.5', 'USD')).toBe(1250n);
    expect(parseMajorUnits('12.05', 'USD')).toBe(1205n);
    expect(parseMajorUnits('0.01', 'USD')).toBe(1n);
    expect(parseMajorUnits('7', 'USD')).toBe(700n);
    expect(parseMajorUnits('1.234', 'KWD')).toBe(1234n);
    expect(parseMajorUnits('0.001', 'KWD')).toBe(1n);
    expect(parseError('0.0001', 'KWD')).toBe('too_many_decimals');
    expect(parseError('1.005', 'USD')).toBe('too_many_decimals');
  });

  it('does not round 0.1 + 0.2 style values: decimals are digits, not floats', () => {
    expect(parseMajorUnits('0.29', 'USD')).toBe(29n);
    expect(parseMajorUnits('1.15', 'USD')).toBe(115n);
    expect(parseMajorUnits('4.35', 'USD')).toBe(435n); // 4.35 * 100 = 434.99999999999994 as a float
  });

  it.each(['', ' 1', '1 ', '-1', '+1', '1e3', '1,5', '1 000', '.5', '5.', '0x10', 'NaN', 'Infinity', '１２'])(
    'refuses %p',
    (text) => {
      expect(parseError(text, 'USD')).toBe('invalid_amount');
    },
  );

  it('refuses an unknown currency', () => {
    expect(parseError('1', 'ABC')).toBe('unknown_currency');
  });

  it('stays exact far beyond 2^53', () => {
    expect(parseMajorUnits('9007199254740993', 'XOF')).toBe(9007199254740993n);
    expect(parseMajorUnits('123456789012345678901234567890.12', 'USD')).toBe(12345678901234567890123456789012n);
    expect(formatMinorUnits(12345678901234567890123456789012n, 'USD')).toBe('123456789012345678901234567890.12');
    expect(formatMinorUnits(2n ** 64n + 1n, 'XOF')).toBe('18446744073709551617');
  });
});

describe('formatMinorUnits', () => {
  it('writes the form Mojaloop expects, with the currency exponent', () => {
    expect(formatMinorUnits(1500n, 'XOF')).toBe('1500');
    expect(formatMinorUnits(1250n, 'USD')).toBe('12.50');
    expect(formatMinorUnits(5n, 'USD')).toBe('0.05');
    expect(formatMinorUnits(0n, 'USD')).toBe('0.00');
    expect(formatMinorUnits(1n, 'KWD')).toBe('0.001');
    expect(formatMinorUnits(-1250n, 'USD')).toBe('-12.50');
  });
});

describe('round trips', () => {
  it.each(['XOF', 'USD', 'KWD'])('format then parse gives back any non-negative %s amount', (currency) => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (amount) => {
        expect(parseMajorUnits(formatMinorUnits(amount, currency), currency)).toBe(amount);
      }),
    );
  });

  it('parse then format gives back the canonical text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 99 }), (whole, cents) => {
        const text = `${whole}.${String(cents).padStart(2, '0')}`;
        expect(formatMinorUnits(parseMajorUnits(text, 'USD'), 'USD')).toBe(text);
      }),
    );
  });
});

describe('sumMinorUnits', () => {
  it('adds database strings and bigints exactly, beyond 2^53', () => {
    expect(sumMinorUnits(['9007199254740992', 1n, '1'])).toBe(9007199254740994n);
    expect(sumMinorUnits([])).toBe(0n);
  });
});
