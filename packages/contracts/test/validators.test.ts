import { describe, expect, it } from 'vitest';

import { isValidIban, isValidInn, isValidSwift } from '../src';

describe('IBAN', () => {
  it.each([
    'DE89370400440532013000',
    'GB82 WEST 1234 5698 7654 32',
    'AE070331234567890123456',
    'ch9300762011623852957',
  ])('accepts %s', (iban) => expect(isValidIban(iban)).toBe(true));
  it.each([
    ['DE89370400440532013001', 'a wrong check digit'],
    ['DE8937040044053201300', 'a wrong length for the country'],
    ['QQ89370400440532013000', 'an unknown country'],
    ['DE89-3704-0044-0532-0130-0X', 'a letter where digits sum wrong'],
  ])('refuses %s (%s)', (iban) => expect(isValidIban(iban)).toBe(false));
});

describe('SWIFT/BIC', () => {
  it.each(['BKCHCNBJ', 'DEUTDEFF500', 'sabrruMM'])('accepts %s', (bic) =>
    expect(isValidSwift(bic)).toBe(true),
  );
  it.each(['BKCHCN', 'BKCHXXBJ', '1KCHCNBJ', 'DEUTDEFF5001'])('refuses %s', (bic) =>
    expect(isValidSwift(bic)).toBe(false),
  );
});

describe('INN', () => {
  it.each(['7707083893', '500100732259'])('accepts %s', (inn) =>
    expect(isValidInn(inn)).toBe(true),
  );
  it.each(['7707083894', '500100732258', '123', 'abcdefghij'])('refuses %s', (inn) =>
    expect(isValidInn(inn)).toBe(false),
  );
});
