import { describe, expect, it } from 'vitest';

import { innCode, isValidIban, isValidInn, isValidSwift, kppCode } from '../src';

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

describe('INN and KPP as people type them', () => {
  it('takes the spaces people put in to read a code, and stores the code without them', () => {
    expect(innCode.parse(' 7707 083 893 ')).toBe('7707083893');
    expect(kppCode.parse('7736 01\u00a0001')).toBe('773601001');
    expect(kppCode.parse('7736ab001')).toBe('7736AB001');
  });
  it('still refuses a wrong code, spaced or not', () => {
    expect(innCode.safeParse('7707 083 894').success).toBe(false);
    expect(kppCode.safeParse('7736 01 00').success).toBe(false);
  });
});
