import fc from 'fast-check';

/** A body as sent on the wire: JSON text, raw text, or raw bytes. */
export type WireBody = string | Buffer;

const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => `x${String.fromCharCode(code)}y`);
const hugeString = fc
  .integer({ min: 10_001, max: 40_000 })
  .chain((n) => fc.constantFrom('a', 'я', '€', '\u0000', '"').map((c) => c.repeat(n)));
const outOfRange = fc.constantFrom(
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 63,
  -0,
  0.1 + 0.2,
  1e-320,
);
const deepNesting = fc.integer({ min: 50, max: 400 }).map((n) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < n; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
});

/** Values of the wrong kind: every way a field can be bad. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  loneSurrogate,
  hugeString,
  outOfRange,
  deepNesting,
  fc.constantFrom(null, true, false, '', ' ', [], {}, '__proto__', 'NaN', '1e400', '\u202e'),
);

/** Raw payloads that are not JSON documents at all, or are broken ones. */
const rawJunk: fc.Arbitrary<WireBody> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    '{',
    '[[[',
    '{"a":',
    'null',
    '"x"',
    '\u0000',
    '{"a":1,"a":2}',
    '{"__proto__":{"x":1}}',
  ),
  fc.integer({ min: 1_000, max: 10_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xed, 0x22, 0x7d])),
);

/**
 * Values near a valid object: one field replaced by junk, a field dropped, an unknown field
 * added, or the whole thing replaced by junk.
 */
export function nearValidValue(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...keys), junk)
        .map(([key, value]) => ({ ...valid, [key]: value })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...keys).map((key) => {
        const copy = { ...valid };
        delete copy[key];
        return copy;
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.string({ minLength: 1, maxLength: 10 }), junk)
        .map(([key, value]) => ({ ...valid, [key]: value })),
    },
    { weight: 1, arbitrary: junk },
  );
}

/** A value on the wire as JSON, or now and then a broken document instead. */
export function wire(value: fc.Arbitrary<unknown>): fc.Arbitrary<WireBody> {
  return fc.oneof(
    { weight: 9, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: rawJunk },
  );
}

/** Runs calls with a bounded number in flight; answers in order. */
export async function inParallel<T>(
  count: number,
  concurrency: number,
  run: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const index = next;
        next += 1;
        if (index >= count) return;
        results[index] = await run(index);
      }
    }),
  );
  return results;
}
