/** Exact decimal arithmetic on strings (money is never a float). */

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** "12.345" at scale 2 → 1235n (half up). */
export function toScaled(value: string | number, scale: number): bigint {
  const text =
    typeof value === 'number' ? String(value) : value.replace(/[\s\u00a0]/g, '').replace(',', '.');
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`Not a decimal number: ${JSON.stringify(value)}`);
  const [, sign, whole, fraction = ''] = match as unknown as [
    string,
    string,
    string,
    string | undefined,
  ];
  const padded = (fraction ?? '').padEnd(scale + 1, '0');
  let scaled = BigInt(whole + padded.slice(0, scale));
  if (Number(padded[scale] ?? '0') >= 5) scaled += 1n;
  return sign === '-' ? -scaled : scaled;
}

export function fromScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  return remainder * 2n >= denominator ? quotient + 1n : quotient;
}

/**
 * What the client pays, in the client's currency:
 * amount × rate × (1 + feePercent / 100) + fixedFee, rounded half up to kopecks.
 */
export function computeTotalToPay(input: {
  amount: string;
  rate: string | number;
  feePercent: string | number;
  fixedFee: string | number;
}): string {
  const amount = toScaled(input.amount, 2);
  const rate = toScaled(input.rate, 6);
  const multiplier = 1_000_000n + toScaled(input.feePercent, 4);
  const product = amount * rate * multiplier; // scale 2 + 6 + 6
  const cents = divideHalfUp(product, 10n ** 12n) + toScaled(input.fixedFee, 2);
  return fromScaled(cents, 2);
}

/** Normalises a decimal to a fixed number of places ("1.5" → "1.50"). */
export function normalizeDecimal(value: string | number, scale: number): string {
  return fromScaled(toScaled(value, scale), scale);
}
