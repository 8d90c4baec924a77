import { randomUUID } from 'node:crypto';

import { signOnecBody, verifyOnecSignature } from '@payreq/onec';
import { sign } from '@tma.js/init-data-node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { verifyInitData } from '../../src/auth/telegram';
import { TEST_BOT_TOKEN, dbKind } from '../../testing/harness';
import { ONEC_API_KEY, ONEC_HMAC_SECRET, callOnec, createInHouseDraft } from '../../testing/onec';
import { botClient, signLaunch, tma } from '../../testing/telegram';
import { recordFigure } from '@payreq/testing/reliability';
import {
  CHAT,
  onecOffer,
  people,
  rowsChanged,
  rowsIn,
  skipSuite,
  snapshotRows,
  useDealRoom,
} from './support';
import type { RowSnapshot } from './support';

const MAX_AGE = 3600;
const PURE_RUNS = 10_000;
/** The pure verifiers do not touch the database: they run once, in the PGlite project. */
const runPure = dbKind === 'pglite';
const HTTP_RUNS = 300;

type Tamper =
  | 'user'
  | 'start_param'
  | 'auth_date'
  | 'hash'
  | 'wrongToken'
  | 'missingHash'
  | 'malformedHash'
  | 'stale'
  | 'future';
const tampers: Tamper[] = [
  'user',
  'start_param',
  'auth_date',
  'hash',
  'wrongToken',
  'missingHash',
  'malformedHash',
  'stale',
  'future',
];

interface Launch {
  userId: number;
  firstName: string;
  startParam: string;
  ageSeconds: number;
}

const launchArb: fc.Arbitrary<Launch> = fc.record({
  userId: fc.integer({ min: 1, max: 9_999_999_999 }),
  firstName: fc.string({ minLength: 1, maxLength: 20 }),
  startParam: fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/),
  ageSeconds: fc.integer({ min: 0, max: MAX_AGE - 5 }),
});

function signed(launch: Launch, now: Date, options: { botToken?: string; authDate?: Date } = {}) {
  return sign(
    {
      user: { id: launch.userId, first_name: launch.firstName },
      chat_type: 'supergroup',
      chat_instance: '-4512345678901234567',
      start_param: launch.startParam,
    },
    options.botToken ?? TEST_BOT_TOKEN,
    options.authDate ?? new Date(now.getTime() - launch.ageSeconds * 1000),
  );
}

/** A different character at `index` of `value` (from a pool that always differs). */
function flipAt(value: string, index: number, pool: string): string {
  const at = index % value.length;
  const old = value[at]!;
  const replacement = pool.split('').find((c) => c !== old)!;
  const shifted = pool[(pool.indexOf(old) + 1 + (index % (pool.length - 1))) % pool.length];
  const next = shifted && shifted !== old ? shifted : replacement;
  return value.slice(0, at) + next + value.slice(at + 1);
}

/** The characters each signed field's flipped character is drawn from. */
const flipPools = {
  user: 'abcdefghXYZ0123456789"{}:,',
  start_param: 'ABCDEFabcdef0123456789_-',
  auth_date: '0123456789',
  hash: '0123456789abcdef',
} as const;

/** The forged init data of one kind, built from a correctly signed launch. */
function forge(launch: Launch, tamper: Tamper, n: number, noise: string, now: Date): string {
  const params = new URLSearchParams(signed(launch, now));
  switch (tamper) {
    case 'user':
    case 'start_param':
    case 'auth_date':
    case 'hash':
      params.set(tamper, flipAt(params.get(tamper)!, n, flipPools[tamper]));
      break;
    case 'wrongToken':
      return signed(launch, now, {
        botToken: `${1 + (n % 9_999_999)}:${noise || 'x'}-not-our-bot`,
      });
    case 'missingHash':
      params.delete('hash');
      break;
    case 'malformedHash':
      params.set('hash', noise.length === 64 && /^[0-9a-f]+$/.test(noise) ? `${noise}0` : noise);
      break;
    case 'stale':
      return signed(launch, now, {
        authDate: new Date(now.getTime() - (MAX_AGE + 2 + (n % 1_000_000)) * 1000),
      });
    case 'future':
      return signed(launch, now, {
        authDate: new Date(now.getTime() + (62 + (n % 1_000_000)) * 1000),
      });
  }
  return params.toString();
}

const forgeryArb = fc.record({
  launch: launchArb,
  tamper: fc.constantFrom(...tampers),
  n: fc.nat(),
  noise: fc.string({ maxLength: 70 }),
});

function refusedByVerifier(raw: string, now: Date): boolean {
  try {
    verifyInitData(raw, TEST_BOT_TOKEN, MAX_AGE, now);
    return false;
  } catch {
    return true;
  }
}

describe.skipIf(skipSuite)(`forgeries (${dbKind})`, () => {
  const { api, room } = useDealRoom({ onec: true });

  /** The figure of HTTP_RUNS forgeries over real HTTP: each must be refused with 401, no row written. */
  const httpRefusals = async (name: string, statuses: number[], before: RowSnapshot) => {
    const refused = statuses.filter((status) => status === 401).length;
    const rows = rowsChanged(before, await snapshotRows(api.prisma));
    return recordFigure({
      name,
      tried: HTTP_RUNS,
      outcome: `401 ${refused}`,
      rowsWritten: rows,
      target: '401 = tried, rows 0',
      pass: refused === HTTP_RUNS && rows === 0,
      note: `statuses ${JSON.stringify([...new Set(statuses)])}`,
    });
  };

  const session = (authorization: string) =>
    fetch(`${api.url}/trpc/miniApp.session`, { headers: { authorization } });

  it('refuses every tampered Mini App init data (verifier ×10,000, HTTP ×300)', async () => {
    const now = new Date();
    if (runPure) {
      // A control: the same generator, untampered, verifies — or the refusals prove nothing.
      let controls = 0;
      fc.assert(
        fc.property(launchArb, (launch) => {
          controls += 1;
          return !refusedByVerifier(signed(launch, now), now);
        }),
        { numRuns: 200 },
      );

      const perKind = new Map<Tamper, { tried: number; refused: number }>();
      let accepted: string | null = null;
      fc.assert(
        fc.property(forgeryArb, ({ launch, tamper, n, noise }) => {
          const raw = forge(launch, tamper, n, noise, now);
          const entry = perKind.get(tamper) ?? { tried: 0, refused: 0 };
          entry.tried += 1;
          const refused = refusedByVerifier(raw, now);
          if (refused) entry.refused += 1;
          else accepted ??= `${tamper}: ${raw}`;
          perKind.set(tamper, entry);
          return true;
        }),
        { numRuns: PURE_RUNS },
      );
      const tried = [...perKind.values()].reduce((s, e) => s + e.tried, 0);
      const refused = [...perKind.values()].reduce((s, e) => s + e.refused, 0);
      const figure = recordFigure({
        name: 'forged init data (verifier)',
        tried,
        outcome: `refused ${refused}`,
        rowsWritten: 0,
        target: `refused = tried (${tampers.length} kinds)`,
        pass: refused === tried && tried === PURE_RUNS && controls === 200,
        note: accepted ? `accepted ${accepted}` : undefined,
      });
      expect(accepted).toBeNull();
      expect(figure.pass).toBe(true);
      for (const kind of tampers) expect(perKind.get(kind)?.tried ?? 0, kind).toBeGreaterThan(500);
    }

    // Through real HTTP: every kind, signed for the deal room's real token, refused with 401.
    const before = await snapshotRows(api.prisma);
    const httpSamples = fc.sample(forgeryArb, HTTP_RUNS);
    const statuses = await Promise.all(
      httpSamples.map(async ({ launch, tamper, n, noise }, index) => {
        const real = { ...launch, userId: people.client.id, startParam: room.token };
        const response = await session(
          tma(forge(real, tampers[index % tampers.length] ?? tamper, n, noise, new Date())),
        );
        await response.arrayBuffer();
        return response.status;
      }),
    );
    expect((await httpRefusals('forged init data (HTTP)', statuses, before)).pass).toBe(true);
  });

  it('refuses launch tokens that are guessed, of another chat or revoked (HTTP ×300)', async () => {
    // The draft a forger would be after.
    await botClient(api.url).bot.saveMessage.mutate({
      chatId: CHAT,
      message: {
        messageId: 1,
        authorTelegramId: people.client.id,
        authorName: 'Иван',
        text: 'hi',
        date: 1795168800,
      },
    });
    const before = await snapshotRows(api.prisma);
    const guessed = fc.sample(fc.stringMatching(/^[A-Za-z0-9_-]{32}$/), 280);
    const revoked = (await botClient(api.url).bot.launchToken.mutate({ chatId: CHAT })).launchToken;
    await botClient(api.url).bot.revokeLaunchTokens.mutate({ chatId: CHAT });
    // Revoking took the room's first token too: issue a fresh one for the rest of the suite.
    room.token = (await botClient(api.url).bot.launchToken.mutate({ chatId: CHAT })).launchToken;
    const beforeTry = await snapshotRows(api.prisma);
    const tokens = [
      ...guessed,
      ...Array.from({ length: 10 }, () => room.otherToken),
      ...Array.from({ length: 10 }, () => revoked),
    ];
    const statuses = await Promise.all(
      tokens.map(async (token) => {
        const response = await session(tma(signLaunch(people.client, token)));
        const body = await response.text();
        return { status: response.status, leaks: /Ромашка|1987654321/.test(body) };
      }),
    );
    const refused = statuses.filter((s) => s.status === 403 && !s.leaks).length;
    const rows = rowsChanged(beforeTry, await snapshotRows(api.prisma));
    // The fresh token still opens the room: the refusals are not just a broken room.
    expect((await session(tma(signLaunch(people.client, room.token)))).status).toBe(200);
    const figure = recordFigure({
      name: 'launch tokens guessed/foreign/revoked',
      tried: tokens.length,
      outcome: `403 ${refused}`,
      rowsWritten: rows,
      target: '403 = tried, nothing leaked, rows 0',
      pass: refused === tokens.length && rows === 0,
      note: `statuses ${JSON.stringify([...new Set(statuses.map((s) => s.status))])}`,
    });
    expect(rowsIn(before, 'ChatMessage')).toBe(1);
    expect(figure.pass).toBe(true);
  });

  it('refuses 1C calls with wrong keys or signatures (verifier ×10,000, HTTP ×300)', async () => {
    if (runPure) {
      let controls = 0;
      let slipped: string | null = null;
      fc.assert(
        fc.property(
          fc.string({ maxLength: 200 }),
          fc.constantFrom(
            'flip',
            'wrongSecret',
            'truncate',
            'random',
            'extraChars',
            'empty',
            'otherBody',
          ),
          fc.nat(),
          fc.string({ minLength: 1, maxLength: 80 }),
          (body, kind, n, noise) => {
            const good = signOnecBody(body, ONEC_HMAC_SECRET);
            if (n % 50 === 0) {
              controls += 1;
              if (!verifyOnecSignature(body, ONEC_HMAC_SECRET, good)) slipped ??= `control ${body}`;
            }
            const forged =
              kind === 'flip'
                ? flipAt(good, n, '0123456789abcdef')
                : kind === 'wrongSecret'
                  ? signOnecBody(body, `${ONEC_HMAC_SECRET}${noise}`)
                  : kind === 'truncate'
                    ? good.slice(0, n % 64)
                    : kind === 'random'
                      ? noise
                      : kind === 'extraChars'
                        ? `${good}x${noise}`
                        : kind === 'empty'
                          ? ''
                          : signOnecBody(`${body}${noise}`, ONEC_HMAC_SECRET);
            if (verifyOnecSignature(body, ONEC_HMAC_SECRET, forged))
              slipped ??= `${kind}: ${forged}`;
            return true;
          },
        ),
        { numRuns: PURE_RUNS },
      );
      const pure = recordFigure({
        name: '1C signatures (verifier)',
        tried: PURE_RUNS,
        outcome: `refused ${slipped ? '< tried' : PURE_RUNS}`,
        rowsWritten: 0,
        target: 'refused = tried',
        pass: slipped === null && controls > 0,
        note: slipped ?? undefined,
      });
      expect(pure.pass).toBe(true);
    }

    const request = await createInHouseDraft(api.prisma, room.world, 'COLLECTING_OFFERS');
    const before = await snapshotRows(api.prisma);
    const attempts = Array.from({ length: HTTP_RUNS }, (_, i) => {
      const path = [
        `/onec/v1/requests/${request.id}/offer`,
        `/onec/v1/requests/${request.id}/status`,
        `/onec/v1/requests/${request.id}/documents`,
        `/onec/v1/requests/${request.id}`,
      ][i % 4]!;
      const body = i % 4 === 1 ? { version: 1, status: 'IN_PROGRESS' } : onecOffer();
      const method = i % 4 === 3 ? ('GET' as const) : ('POST' as const);
      const variant = Math.floor(i / 4) % 5;
      const options =
        variant === 0
          ? { apiKey: `${ONEC_API_KEY}x` }
          : variant === 1
            ? { apiKey: null }
            : variant === 2
              ? { secret: `${ONEC_HMAC_SECRET}-wrong` }
              : variant === 3
                ? { secret: null }
                : { signature: signOnecBody('{}', ONEC_HMAC_SECRET) };
      return callOnec(api, method, path, {
        ...(method === 'POST' ? { body } : {}),
        idempotencyKey: randomUUID(),
        ...options,
      });
    });
    const answers = await Promise.all(attempts);
    const statuses = answers.map((answer) => answer.status);
    expect((await httpRefusals('1C wrong key/signature (HTTP)', statuses, before)).pass).toBe(true);
  });

  it('answers a replayed 1C write with the first answer and writes nothing more', async () => {
    const request = await createInHouseDraft(api.prisma, room.world, 'COLLECTING_OFFERS');
    const base = `/onec/v1/requests/${request.id}`;
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const writes: { path: string; body: unknown; key: string }[] = [
      {
        path: `${base}/offer`,
        key: randomUUID(),
        body: onecOffer(1),
      },
      { path: `${base}/status`, key: randomUUID(), body: { version: 1, status: 'IN_PROGRESS' } },
      {
        path: `${base}/documents`,
        key: randomUUID(),
        body: {
          Ref_Key: randomUUID(),
          kind: 'INVOICE',
          fileName: 'Счёт.pdf',
          mime: 'application/pdf',
          contentBase64: pdf.toString('base64'),
          number: 'СЧ-1',
          date: '2030-03-15T11:25:00',
        },
      },
    ];
    const firsts: Awaited<ReturnType<typeof callOnec>>[] = [];
    for (const write of writes) {
      const first = await callOnec(api, 'POST', write.path, {
        body: write.body,
        idempotencyKey: write.key,
      });
      firsts.push(first);
    }
    for (const f of firsts) expect(f.status, JSON.stringify(f.json)).toBeLessThan(300);
    const before = await snapshotRows(api.prisma);
    const replays = await Promise.all(
      Array.from({ length: 150 }, (_, i) => {
        const write = writes[i % writes.length]!;
        return callOnec(api, 'POST', write.path, {
          body: write.body,
          idempotencyKey: write.key,
        }).then((answer) => ({ answer, first: firsts[i % writes.length]! }));
      }),
    );
    const same = replays.filter(
      ({ answer, first }) =>
        answer.status === first.status &&
        JSON.stringify(answer.json) === JSON.stringify(first.json),
    ).length;
    const rows = rowsChanged(before, await snapshotRows(api.prisma));
    const figure = recordFigure({
      name: '1C replayed writes',
      tried: replays.length,
      outcome: `same answer ${same}`,
      rowsWritten: rows,
      target: 'same answer = tried, rows 0',
      pass: same === replays.length && rows === 0,
    });
    expect(figure.pass).toBe(true);
  });
});
