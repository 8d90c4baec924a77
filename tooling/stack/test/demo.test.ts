import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { Db } from '@payreq/db';
import { createDb } from '@payreq/db';
import { findPostgresBinDir } from '@payreq/db/testing';
import { actorLabel, createFormatter, historyText } from '@payreq/i18n';
import { internalsIn } from '@payreq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { botService, miniAppUser } from '../src/demo/api';
import { expectedAnnouncements, textOf } from '../src/demo/epic';
import { OnecOperator } from '../src/demo/onec';
import type { DemoState } from '../src/demo/run';
import { STATE_MARKER } from '../src/demo/run';
import { people } from '../src/people';
import { TelegramControl, startParamOf } from '../src/telegram-control';

/**
 * Runs the demo command as a user runs it (`node --import tsx src/demo.ts`, as `pnpm demo` does, here with `--hold` so that it
 * keeps the stack up after its own checks), then looks for itself: in the api through its
 * procedures, in the Telegram test server's group, in 1C through the emulator's operator API
 * and in the database; then Ctrl-C, and every process must be gone.
 */

const stackDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const postgresReachable = Boolean(process.env.TEST_POSTGRES_URL) || Boolean(findPostgresBinDir());
if (!postgresReachable) {
  if (process.env.CI) throw new Error('CI needs PostgreSQL: set TEST_POSTGRES_URL');
  console.log(
    'No PostgreSQL here (TEST_POSTGRES_URL unset, no server binaries): the two-api run is skipped.',
  );
}

interface DemoRun {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  state: DemoState;
  dataDir: string;
}

/** Starts `node --import tsx src/demo.ts` and resolves once `ready` finds what it waits for in the output. */
async function spawnDemo<T>(
  args: string[],
  ready: (lines: string[]) => T | undefined,
): Promise<Omit<DemoRun, 'state'> & { found: T }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'payreq-demo-test-'));
  const child = spawn(
    process.execPath,
    ['--import', tsxLoader, 'src/demo.ts', '--lang', 'en', '--data-dir', dataDir, ...args],
    {
      cwd: stackDir,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const found = await new Promise<T>((resolve, reject) => {
    const timer = setInterval(() => {
      const value = ready(output.split('\n'));
      if (value !== undefined) {
        clearInterval(timer);
        resolve(value);
      }
    }, 200);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`the demo exited (${code}) too early:\n${output}`));
    });
  });
  return { process: child, output: () => output, exited, dataDir, found };
}

/** Starts the demo in `--hold` mode and waits for its state line (or its failure). */
async function startDemo(args: string[]): Promise<DemoRun> {
  const { found: state, ...run } = await spawnDemo([...args, '--hold'], (lines) => {
    const line = lines.find((text) => text.startsWith(STATE_MARKER));
    return line ? (JSON.parse(line.slice(STATE_MARKER.length)) as DemoState) : undefined;
  });
  return { ...run, state };
}

/** Ctrl-C, as a user stops it. */
async function interrupt(run: DemoRun, timeoutMs = 60_000): Promise<number | null> {
  run.process.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    run.exited,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (code === 'timeout') throw new Error(`the demo did not stop within ${timeoutMs / 1000} s`);
  return code;
}

/**
 * Whether a process still runs. A zombie (exited, waiting for its parent to collect it) does
 * not: once the demo has exited, its children's parent is the container's init, which may
 * collect them late or never.
 */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/** The processes of `pids` still running, given a moment for the last signals to land. */
async function stillAlive(pids: DemoState['pids']): Promise<DemoState['pids']> {
  for (let i = 0; i < 25 && pids.some(({ pid }) => alive(pid)); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return pids.filter(({ pid }) => alive(pid));
}

/** Whatever a failed test left running is killed (the stack's parts run in their own groups). */
async function killLeftovers(run: DemoRun | undefined): Promise<void> {
  if (!run) return;
  if (run.process.exitCode === null && run.process.signalCode === null) {
    run.process.kill('SIGTERM');
    await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  }
  for (const { pid } of run.state?.pids ?? []) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

function demoSuite(name: string, args: string[], options: { postgres: boolean; built?: boolean }) {
  describe.skipIf(options.postgres && !postgresReachable)(`the demo: ${name}`, () => {
    let run: DemoRun;
    let control: TelegramControl;
    let onec: OnecOperator;
    let db: Db | null = null;
    const epic = () => run.state.epic;
    /** The deal room's messages are each stored once, the photo with its bytes' hash. */
    const expectChatKept = async (prisma: Db['prisma']) => {
      const rows = await prisma.chatMessage.findMany({
        where: { chatId: BigInt(epic().chatId) },
        include: { asset: true },
      });
      const ours = rows.filter((row) =>
        epic().chatMessages.some((message) => message.messageId === row.messageId),
      );
      expect(ours).toHaveLength(epic().chatMessages.length);
      expect(ours.find((row) => row.kind === 'photo')?.asset?.sha256).toBe(epic().photoSha256);
    };

    /** The Mini App's api as a member of the deal room, signed by the Telegram test server. */
    const asMember = async (user: number, apiUrl = run.state.apiUrls[0]!) => {
      const launch = await control.launch({
        user,
        bot: run.state.botToken,
        url: `${apiUrl}/`,
        startParam: epic().startParam,
        chat: epic().chatId,
      });
      return miniAppUser(apiUrl, launch.initData);
    };

    beforeAll(async () => {
      run = await startDemo(args);
      control = new TelegramControl(run.state.telegramRoot);
      onec = new OnecOperator(run.state.onecUrl);
      if (run.state.databaseUrl) db = await createDb({ url: run.state.databaseUrl });
    });

    afterAll(async () => {
      await db?.close();
      await killLeftovers(run);
      if (run) rmSync(run.dataDir, { recursive: true, force: true });
    });

    it('narrates every step of the epic with its checked outcomes, and nothing failed', () => {
      const output = run.output();
      for (let step = 1; step <= 12; step += 1)
        expect(output).toMatch(new RegExp(`^\\s*${step}\\. \\S`, 'm'));
      expect(output).not.toContain('✗');
      expect(output.match(/^ {4}✓ /gm)?.length).toBeGreaterThanOrEqual(35);
      expect(output).toContain('Summary');
      expect(run.state.apiUrls).toHaveLength(options.postgres ? 2 : 1);
    });

    if (options.built)
      it('ran the build with plain node (no TypeScript loader), the migration as its own step first', () => {
        const names = run.state.pids.map(({ name }) => name);
        expect(names).toEqual([
          'telegram-test-server',
          'onec-emulator',
          'migrate',
          'api-1',
          'api-2',
          'bot',
        ]);
        for (const { name, pid } of run.state.pids.filter(({ name }) => name !== 'migrate')) {
          const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          expect(argv.join(' '), name).not.toMatch(/tsx/);
          expect(argv[1], name).toMatch(/\/dist\/(main|cli)\.js$/);
        }
        const migrateLog = readFileSync(path.join(run.dataDir, 'logs/migrate.log'), 'utf8');
        expect(migrateLog).toMatch(/applied \d{14}_init/);
        const apiLog = readFileSync(path.join(run.dataDir, 'logs/api-1.log'), 'utf8');
        // The apis only checked them.
        expect(apiLog).toContain('migrations checked: up to date');
        expect(apiLog).not.toContain('migrations applied at start');
        expect(run.output()).toContain('from the build (node dist/…, no TypeScript loader)');
      });

    it('the api: the request went the whole way, read through the Mini App procedures', async () => {
      const agent = await asMember(people.anna.id, run.state.apiUrls.at(-1));
      const client = await asMember(people.ivan.id);
      const [asAgent, asClient] = await Promise.all([
        agent.miniApp.session.query(),
        client.miniApp.session.query(),
      ]);
      expect(asAgent.me).toMatchObject({ name: 'Анна Смирнова', tenant: { isMaster: true } });
      expect(asAgent.me.agentId).toBeTruthy();
      expect(asClient.me).toMatchObject({ name: 'Иван Петров', agentId: null });
      // A completed request: nobody may edit it or move it any more.
      for (const me of [asAgent.me, asClient.me]) {
        expect(me.permissions).toContain('application.view');
        expect(me.permissions).not.toContain('application.edit');
        expect(me.permissions).not.toContain('application.setStatus');
      }
      const request = asAgent.request!;
      expect(asClient.request?.id).toBe(request.id);
      expect(request).toMatchObject({
        id: epic().requestId,
        displayNumber: epic().displayNumber,
        status: 'COMPLETED',
        paymentStatus: 'PAYOUT_DONE',
        inHouse: true,
        source: 'TELEGRAM',
        telegramChatId: epic().chatId,
        agentName: 'Анна Смирнова',
        onecRef: epic().onecRef,
        onecUrl: epic().onecUrl,
        readOnly: true,
      });
      expect(request.fields).toMatchObject({
        payerName: 'ООО «Ромашка»',
        payerTaxId: '7707083893',
        beneficiarySwift: 'BKCHCNBJ45A',
        currency: 'CNY',
        clientCurrency: 'RUB',
      });
      expect(Number(request.amount)).toBe(1_250_000);

      // 1C's terms became the one accepted offer.
      expect(request.offers).toHaveLength(1);
      expect(request.acceptedOffer).toMatchObject({ source: 'ONEC', status: 'ACCEPTED' });
      expect(Number(request.acceptedOffer!.rate)).toBe(Number(epic().offer.rate));
      expect(Number(request.acceptedOffer!.totalToPay)).toBe(Number(epic().offer.totalToPay));
      expect(request.acceptedOffer!.settlementDays).toBe(epic().offer.settlementDays);

      // Documents from 1C, byte for byte, delivered to the chat.
      expect(
        request.documents.map(({ kind, source, sha256: hash, deliveredToChat }) => ({
          kind,
          source,
          sha256: hash,
          deliveredToChat,
        })),
      ).toEqual(
        expect.arrayContaining(
          epic().documents.map((document) => ({
            kind: document.kind,
            source: 'ONEC',
            sha256: document.sha256,
            deliveredToChat: true,
          })),
        ),
      );
      expect(request.documents).toHaveLength(2);

      // The history tells who did what, in order.
      const changes = request.history
        .flatMap((entry) =>
          entry.change.type === 'status' || entry.change.type === 'paymentStatus'
            ? [{ ...entry, change: entry.change }]
            : [],
        )
        .sort((a, b) => a.at.localeCompare(b.at) || Number(a.id) - Number(b.id))
        .map((entry) => `${entry.change.type}:${entry.change.to}:${entry.actor.kind}`);
      expect(changes).toEqual([
        expect.stringMatching(/^status:COLLECTING_OFFERS:agent$/),
        expect.stringMatching(/^status:OFFER_ACCEPTED:onec$/),
        expect.stringMatching(/^status:IN_PROGRESS:onec$/),
        expect.stringMatching(/^paymentStatus:TEST_PAYMENT_SENT:(user|client)$/),
        expect.stringMatching(/^paymentStatus:TEST_PAYMENT_CONFIRMED:onec$/),
        expect.stringMatching(/^paymentStatus:PAYMENT_SENT:(user|client)$/),
        expect.stringMatching(/^paymentStatus:PAYMENT_RECEIVED:onec$/),
        expect.stringMatching(/^paymentStatus:PAYOUT_DONE:onec$/),
        expect.stringMatching(/^status:COMPLETED:onec$/),
      ]);

      // The bot's view of the room agrees.
      const summary = await botService(
        run.state.apiUrls[0]!,
        run.state.serviceToken,
      ).bot.chatSummary.query({
        chatId: epic().chatId,
      });
      expect(summary).toMatchObject({
        registered: true,
        agentName: 'Анна Смирнова',
        request: { id: request.id, status: 'COMPLETED', paymentStatus: 'PAYOUT_DONE' },
      });

      // Every api instance answers the same (one database).
      for (const apiUrl of run.state.apiUrls) {
        const other = await (await asMember(people.anna.id, apiUrl)).miniApp.session.query();
        expect(other.request).toMatchObject({ id: request.id, version: request.version });
      }
    });

    it('people read words: no id, JSON body or code name in the history or the group', async () => {
      const apiUrl = run.state.apiUrls[0]!;
      const views = await Promise.all(
        [people.anna.id, people.ivan.id].map(async (id) =>
          (await asMember(id, apiUrl)).miniApp.session.query(),
        ),
      );
      const leaks: string[] = [];
      for (const [index, view] of views.entries()) {
        const history = view.request!.history;
        expect(history.length).toBeGreaterThan(10);
        for (const locale of ['ru', 'en'] as const) {
          const format = createFormatter(locale);
          for (const entry of history) {
            const text = `${actorLabel(entry.actor, locale)}: ${historyText(entry.change, format)}`;
            for (const found of internalsIn(text)) leaks.push(`history ${index} ${found}: ${text}`);
          }
        }
      }
      for (const message of await control.botMessages(epic().chatId)) {
        for (const found of internalsIn(textOf(message)))
          leaks.push(`group ${found}: ${textOf(message)}`);
      }
      expect(leaks).toEqual([]);
    });

    it('the group: the welcome and each announcement exactly once, the documents as PDFs', async () => {
      const messages = await control.botMessages(epic().chatId);
      const [welcome, ...announcements] = messages;
      expect(startParamOf(welcome?.replyMarkup)).toBe(epic().startParam);
      expect(epic().welcomeLink).toMatch(/^https:\/\/t\.me\/payreq_deal_bot\/app\?startapp=/);

      const expected = expectedAnnouncements(epic().displayNumber);
      expect(announcements).toHaveLength(expected.length);
      for (const [index, item] of expected.entries()) {
        expect(
          announcements.filter((message) => item.match.test(textOf(message))),
          item.what.en,
        ).toHaveLength(1);
        // …and in the order things happened.
        expect(textOf(announcements[index]!), item.what.en).toMatch(item.match);
      }
      const texts = messages.map((message) => `${message.method}:${textOf(message)}`);
      expect(new Set(texts).size).toBe(texts.length);

      const documents = messages.filter((message) => message.method === 'sendDocument');
      expect(documents).toHaveLength(2);
      for (const document of epic().documents) {
        const sent = documents.find((message) => message.files[0]?.fileName === document.fileName);
        const bytes = Buffer.from(sent?.files[0]?.base64 ?? '', 'base64');
        expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(bytes.length).toBe(document.size);
        expect(sha256(bytes)).toBe(document.sha256);
        expect(sent?.files[0]?.mimeType).toBe('application/pdf');
      }
    });

    it('1C: exactly one request with our id, completed, every call to the platform delivered', async () => {
      const list = await onec.list();
      expect(list.filter((item) => item.platformId === epic().requestId)).toHaveLength(1);
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({
        ref: epic().onecRef,
        number: epic().onecNumber,
        displayNumber: epic().displayNumber,
        status: 'COMPLETED',
        paymentStatus: 'PAYOUT_DONE',
        offers: 1,
        documents: 2,
        queuedJobs: 0,
        failedDeliveries: 0,
        agentName: 'Анна Смирнова',
      });
      const detail = await onec.get(epic().onecRef);
      expect(detail.deliveries.length).toBeGreaterThanOrEqual(8);
      expect(detail.deliveries.every((delivery) => delivery.state === 'DELIVERED')).toBe(true);
      expect(detail.offers[0]?.platformOfferId).toBeTruthy();
      for (const document of detail.documents) {
        expect(document.platformDocumentId).toBeTruthy();
        const bytes = await onec.documentFile(document.ref);
        expect(sha256(bytes)).toBe(document.sha256);
      }
      expect((await onec.byLink(epic().onecUrl)).ref).toBe(epic().onecRef);
    });

    if (options.postgres)
      it('the database (PostgreSQL, read while both apis run): each chat message once, outbox delivered, one request per road', async () => {
        const prisma = db!.prisma;
        await expectChatKept(prisma);
        expect(
          await prisma.paymentRequest.count({ where: { telegramChatId: { not: null } } }),
        ).toBe(1);
        // The standard pipeline's part: one request from the portal, its offer accepted.
        expect(
          await prisma.paymentRequest.findMany({
            where: { telegramChatId: null },
            select: { status: true, source: true },
          }),
        ).toEqual([{ status: 'OFFER_ACCEPTED', source: 'PLATFORM_UI' }]);
        expect(await prisma.document.count()).toBe(2);
        const outbox = await prisma.outboxMessage.findMany();
        expect(outbox.filter((row) => row.state !== 'DELIVERED')).toEqual([]);
        // To 1C: the request once, then each change after the submit once, in 1C's change log
        // under the same update id (a redelivery is answered there, not applied again).
        const toOnec = outbox.filter((row) => row.target === 'ONEC');
        expect(toOnec.filter((row) => row.kind === 'onec.createRequest')).toHaveLength(1);
        const updateIds = toOnec
          .filter((row) => row.kind === 'onec.updateRequest')
          .map((row) => (row.payload as { updateId: string }).updateId);
        expect(updateIds.length).toBeGreaterThan(0); // the payment steps, at least
        const applied = (await onec.get(epic().onecRef)).updates.map((u) => u.updateId);
        expect([...applied].sort()).toEqual([...updateIds].sort());
        expect(toOnec.length).toBe(
          1 + updateIds.length + toOnec.filter((r) => r.kind === 'onec.requestDocument').length,
        );
        expect(outbox.filter((row) => row.target === 'TELEGRAM')).toHaveLength(
          expectedAnnouncements(epic().displayNumber).length,
        );
      });

    if (options.postgres)
      it('one trace: the submit, its delivery to 1C and to Telegram, in the api, 1C and the bot', async () => {
        const rows = await db!.prisma.outboxMessage.findMany({
          where: { kind: { in: ['onec.createRequest', 'telegram.statusChanged'] } },
          orderBy: { id: 'asc' },
        });
        const submit = rows.find((row) => row.kind === 'onec.createRequest')!;
        const traceId = submit.traceparent?.split('-')[1];
        expect(traceId, 'the row keeps the trace of the submit').toMatch(/^[\da-f]{32}$/);
        // The bot's message about the submit was written in the same transaction.
        expect(rows.find((row) => row.traceparent === submit.traceparent)?.kind).toBe(
          'telegram.statusChanged',
        );
        const lines = (file: string) =>
          readFileSync(path.join(run.dataDir, 'logs', file), 'utf8')
            .split('\n')
            .filter((line) => line.includes(`"trace_id":"${traceId}"`));
        const api = [...lines('api-1.log'), ...lines('api-2.log')];
        expect(api.some((line) => line.includes('miniApp.setStatus'))).toBe(true);
        expect(lines('onec-emulator.log').some((line) => line.includes('call with a trace'))).toBe(
          true,
        );
        expect(lines('bot.log').some((line) => line.includes('"msg":"delivered"'))).toBe(true);
      });

    it('Ctrl-C stops every process and the demo exits 0', async () => {
      const code = await interrupt(run);
      expect(code, run.output()).toBe(0);
      expect(await stillAlive(run.state.pids), run.output()).toEqual([]);
      expect(run.output()).toContain('Done: the demo passed, everything is stopped');
    });

    if (!options.postgres)
      it('the database (PGlite, read after the stop): each chat message once, the photo with its bytes', async () => {
        expect(run.output()).toMatch(/✓ the database after the stop: 3 ChatMessage rows/);
        const stopped = await createDb({
          pgliteDataDir: path.join(run.dataDir, 'pglite'),
          migrate: false,
        });
        try {
          await expectChatKept(stopped.prisma);
          expect(
            await stopped.prisma.outboxMessage.count({ where: { state: { not: 'DELIVERED' } } }),
          ).toBe(0);
          // The deal room's request, and the standard pipeline's from the portal.
          expect(await stopped.prisma.paymentRequest.count()).toBe(2);
        } finally {
          await stopped.close();
        }
      });
  });
}

demoSuite('one api on PGlite', [], { postgres: false });
demoSuite(
  'the built output: two api instances and the bot on one PostgreSQL, migrated by a step of its own',
  ['--apis', '2', '--built'],
  {
    postgres: true,
  },
);

describe('the demo interrupted: Ctrl-C in the middle of the epic', () => {
  let run: DemoRun | undefined;

  afterAll(async () => {
    await killLeftovers(run);
    if (run) rmSync(run.dataDir, { recursive: true, force: true });
  });

  it('stops every process it started and says so', { timeout: 180_000 }, async () => {
    const started = await spawnDemo([], (lines) =>
      lines.some((line) => /^ 4\. /.test(line)) ? true : undefined,
    );
    const pidsFile = path.join(started.dataDir, 'pids.json');
    const pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as DemoState['pids'];
    const interrupted: DemoRun = { ...started, state: { pids } as DemoState };
    run = interrupted;
    expect(pids.map(({ name }) => name)).toEqual([
      'telegram-test-server',
      'onec-emulator',
      'api',
      'bot',
    ]);
    const code = await interrupt(interrupted);
    expect(code, interrupted.output()).toBe(130);
    expect(await stillAlive(pids), interrupted.output()).toEqual([]);
    expect(interrupted.output()).toContain('Interrupted: stopping everything…');
    expect(interrupted.output()).toContain('Stopped.');
    expect(interrupted.output()).not.toContain('✗');
  });
});
