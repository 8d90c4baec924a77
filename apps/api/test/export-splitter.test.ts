import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { ExportItem } from '../src/services/export-splitter';
import { ExportSyntaxError, splitTelegramExport } from '../src/services/export-splitter';

/** The text cut into chunks of the given sizes, as bytes (a cut may fall inside a character). */
function* chunksOf(text: string, sizes: number[]): Generator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  for (let i = 0; at < bytes.length; i += 1) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function split(text: string, sizes = [64 * 1024], maxValueChars = 1_000_000) {
  const items: ExportItem[] = [];
  for await (const item of splitTelegramExport(
    (async function* () {
      yield* chunksOf(text, sizes);
    })(),
    { maxValueChars },
  ))
    items.push(item);
  return items;
}

async function outcome(text: string, sizes?: number[]) {
  try {
    return { ok: true as const, items: await split(text, sizes) };
  } catch (error) {
    if (!(error instanceof ExportSyntaxError)) throw error;
    return { ok: false as const, error: error.message };
  }
}

/** What a full JSON parser makes of the text, in the splitter's terms (null: it refuses it). */
function expected(text: string): ExportItem[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const items: ExportItem[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (key === 'id') items.push({ kind: 'chatId', value });
    if (key === 'type') items.push({ kind: 'chatType', value });
    if (key === 'messages') {
      if (!Array.isArray(value)) return null;
      for (const message of value) items.push({ kind: 'message', value: message });
    }
  }
  return items;
}

const exportObject = fc.record(
  {
    name: fc.string(),
    type: fc.constantFrom('private_supergroup', 'private_group'),
    id: fc.oneof(fc.integer(), fc.string(), fc.jsonValue({ maxDepth: 2 })),
    messages: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 20 }),
    extra: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: ['messages'] },
);
const indent = fc.constantFrom(undefined, 0, 1, 2, '\t');
const chunkSizes = fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 5 });

describe('splitting a Telegram Desktop export', () => {
  it('yields what JSON.parse reads, whatever the spacing and wherever the chunks are cut', async () => {
    await fc.assert(
      fc.asyncProperty(exportObject, indent, chunkSizes, async (document, space, sizes) => {
        const text = JSON.stringify(document, null, space);
        expect(await outcome(text, sizes)).toEqual({ ok: true, items: expected(text) });
      }),
      { numRuns: 400 },
    );
  });

  it('refuses every text a JSON parser refuses (cut short, a character changed, one inserted)', async () => {
    const damaged = exportObject.chain((document) => {
      const text = JSON.stringify(document, null, 1);
      return fc.oneof(
        fc.integer({ min: 0, max: text.length - 1 }).map((at) => text.slice(0, at)),
        fc
          .tuple(fc.integer({ min: 0, max: text.length - 1 }), fc.constantFrom(...'{}[],:"\\ 1a'))
          .map(([at, c]) => text.slice(0, at) + c + text.slice(at + 1)),
        fc
          .tuple(fc.integer({ min: 0, max: text.length }), fc.constantFrom(...'{}[],:"\\'))
          .map(([at, c]) => text.slice(0, at) + c + text.slice(at)),
      );
    });
    await fc.assert(
      fc.asyncProperty(damaged, chunkSizes, async (text, sizes) => {
        const result = await outcome(text, sizes);
        const reference = expected(text);
        if (reference === null) expect(result.ok).toBe(false);
        else expect(result).toEqual({ ok: true, items: reference });
      }),
      { numRuns: 2_000 },
    );
  });

  it('says what is wrong, and holds no value larger than its limit', async () => {
    expect(await outcome('[1, 2]')).toMatchObject({ ok: false, error: /not a JSON object/ });
    expect(await outcome('{"messages": {}}')).toMatchObject({ ok: false, error: /not a list/ });
    expect(await outcome('{"id": 1, "messages": [{"id": 1},]}')).toMatchObject({
      ok: false,
      error: /message 2/,
    });
    expect(await outcome('{"messages": []} x')).toMatchObject({
      ok: false,
      error: /after its end/,
    });
    expect(await outcome('\ufeff{"id": 5, "messages": []}')).toEqual({
      ok: true,
      items: [{ kind: 'chatId', value: 5 }],
    });
    const big = JSON.stringify({ id: 1, messages: [{ text: 'я'.repeat(5_000) }] });
    await expect(split(big, [1_000], 2_000)).rejects.toThrow(/message 1 is larger than 2000/);
  });
});
