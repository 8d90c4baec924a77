/**
 * 2. Chat import: a generated Telegram Desktop export streamed over HTTP to
 * `POST /miniapp/v1/chat-export` of the api (in its own process, memory sampled), against the
 * same rows loaded with PostgreSQL's `COPY "ChatMessage" (...) FROM STDIN` (psql `\copy` of a
 * CSV of the importer's rows; without psql: one multi-row INSERT … SELECT FROM unnest through
 * `pg`, and the table says so).
 */
import { execFile } from 'node:child_process';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';

import type pg from 'pg';

import { procMemory, resetPeakRss } from '../lib/proc.ts';
import type { ChildServer } from '../lib/child.ts';
import { config } from '../lib/config.ts';
import { compared, fmt } from '../lib/report.ts';
import type { BenchContext, BenchModule, Row } from '../lib/report.ts';
import { botAuthorization, miniAppAuthorization } from '../lib/telegram.ts';
import { csvColumns, writeTelegramExport } from '../lib/telegram-export.ts';
import { mutate } from '../lib/trpc.ts';
import { emptyChatMessages, inFreshWorld, startWorldApi } from '../lib/world.ts';
import { sql } from '../servers/floor-sql.ts';
import type { MemoryPeaks } from '../servers/ipc.ts';

const execFileAsync = promisify(execFile);

interface ImportAnswer {
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

/** Streams a file as the request body (Content-Length known, as a browser's upload of a File). */
function upload(
  url: string,
  authorization: string,
  file: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/miniapp/v1/chat-export`,
      {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/json',
          'content-length': statSync(file).size,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    createReadStream(file).pipe(request);
  });
}

async function importThroughApi(
  api: ChildServer,
  authorization: string,
  file: string,
  expected: number,
) {
  const started = process.hrtime.bigint();
  const { status, body } = await upload(api.url, authorization, file);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (status !== 200) throw new Error(`the import answered ${status}: ${body.slice(0, 500)}`);
  const answer = JSON.parse(body) as ImportAnswer;
  if (answer.inserted !== expected)
    throw new Error(`the import inserted ${answer.inserted} of ${expected} messages: ${body}`);
  return { seconds, answer };
}

export const chatImport: BenchModule = {
  name: 'chat-import',
  title: 'Chat import (Telegram Desktop export)',
  async run(ctx: BenchContext): Promise<Row[]> {
    return inFreshWorld(async ({ url, db, agent, servers }) => {
      const api = await startWorldApi({ url, servers }, ['--expose-gc', ...config.apiNodeArgs]);
      const people = [
        { id: agent.id, name: agent.name },
        { id: 5_200_000_001, name: 'Иван Петров' },
        { id: 5_200_000_002, name: 'Ольга Кузнецова' },
      ];
      // The agent opens two deal rooms: one for a warm-up import, one for the measured import.
      const rooms: { chatId: number; launchToken: string }[] = [];
      for (const chatId of [-1002200000001, -1002200000002]) {
        const registered = await mutate<{ registered: boolean; launchToken: string }>(
          api.url,
          'bot.registerChat',
          botAuthorization,
          {
            chat: {
              id: chatId,
              type: 'supergroup',
              title: 'Сделка: ООО «Ромашка» — платёж в Китай',
            },
            addedBy: { telegramId: agent.id, name: agent.name },
            botIsAdmin: true,
          },
        );
        rooms.push({ chatId, launchToken: registered.launchToken });
      }
      const [warmRoom, room] = rooms as [(typeof rooms)[0], (typeof rooms)[0]];

      const messages = config.exportMessages;
      const file = path.join(ctx.tmpDir, 'result.json');
      const csv = path.join(ctx.tmpDir, 'chat-messages.csv');
      const warmFile = path.join(ctx.tmpDir, 'warm-up.json');
      ctx.log(`generating a ${messages}-message Telegram Desktop export`);
      const generated = await writeTelegramExport(file, {
        chatId: room.chatId,
        title: 'Сделка: ООО «Ромашка» — платёж в Китай',
        messages,
        people,
        csvFile: csv,
      });
      await writeTelegramExport(warmFile, {
        chatId: warmRoom.chatId,
        title: 'Разминка',
        messages: 2_000,
        people,
        seed: 7,
      });
      const exportBytes = statSync(file).size;
      ctx.log(`export: ${fmt.mb(exportBytes)}, kinds ${JSON.stringify(generated.kinds)}`);

      // Warm-up: the same route once with a small export (JIT, pools), then a clean table.
      await importThroughApi(
        api,
        miniAppAuthorization(agent, warmRoom.launchToken),
        warmFile,
        2_000,
      );
      await emptyChatMessages(db, { analyze: false });

      ctx.log(`importing it through the api (POST /miniapp/v1/chat-export)`);
      const authorization = miniAppAuthorization(agent, room.launchToken);
      const before = procMemory(api.pid);
      const hwmReset = resetPeakRss(api.pid);
      const heapBefore = await api.ask<NodeJS.MemoryUsage>({ type: 'memory.start' }); // after a GC
      const cpuBefore = await api.ask<NodeJS.CpuUsage>({ type: 'cpu' });
      let sampledPeak = before?.rss ?? 0;
      const sampler = setInterval(() => {
        const now = procMemory(api!.pid);
        if (now) sampledPeak = Math.max(sampledPeak, now.rss);
      }, 20);
      let imported: Awaited<ReturnType<typeof importThroughApi>>;
      try {
        imported = await api.profiled(ctx.profileFile('api-chat-import'), () =>
          importThroughApi(api!, authorization, file, messages),
        );
      } finally {
        clearInterval(sampler);
      }
      const peaks = await api.ask<MemoryPeaks>({ type: 'memory.stop' });
      const retained = await api.ask<NodeJS.MemoryUsage>({ type: 'memory.gc' });
      const after = procMemory(api.pid);
      const peakRss = Math.max(sampledPeak, peaks.rss, hwmReset ? (after?.hwm ?? 0) : 0);
      const baseRss = before?.rss ?? heapBefore.rss;

      const cpuAfter = await api.ask<NodeJS.CpuUsage>({ type: 'cpu' });
      const apiCpuSeconds =
        (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1e6;

      // The floor: the same rows, COPY'd into the same (emptied) table.
      const rows = parseCsv(readFileSync(csv, 'utf8'));
      await emptyChatMessages(db, { analyze: true });
      ctx.log(
        ctx.postgres.psql
          ? 'loading the same rows with COPY (psql \\copy)'
          : 'psql not found: loading the same rows with INSERT … unnest',
      );
      const floor = ctx.postgres.psql
        ? await copyWithPsql(ctx.postgres.psql, url, csv)
        : await insertWithUnnest(db, rows);
      await expectRows(db, messages);
      // And the importer's own statements (the upsert, 2,000 rows a batch, one transaction)
      // through raw pg: what is left of the api's time beyond this is parsing and framework.
      await emptyChatMessages(db, { analyze: true });
      ctx.log("loading the same rows with the importer's upsert statements through pg");
      const upserts = await upsertLikeTheImporter(db, rows, room.chatId);
      await expectRows(db, messages);

      const benchmark = `Chat import (${messages.toLocaleString('en')} messages, ${fmt.mb(exportBytes)})`;
      const floorName = ctx.postgres.psql ? 'COPY' : 'INSERT…unnest';
      const liveGrowth = peaks.liveHeapAfterMajorGc - heapBefore.heapUsed;
      return [
        compared(
          { benchmark, figure: `time, s (floor: ${floorName})` },
          imported.seconds,
          floor.seconds,
          { max: 2 },
        ),
        compared(
          { benchmark, figure: `messages/s (floor: ${floorName})` },
          messages / imported.seconds,
          messages / floor.seconds,
        ),
        compared(
          { benchmark, figure: 'time, s (floor: its upserts via pg)' },
          imported.seconds,
          upserts.seconds,
        ),
        {
          benchmark,
          figure: 'api CPU, s (floor: import time)',
          value: fmt.num(apiCpuSeconds),
          floor: fmt.num(imported.seconds),
          ratio: fmt.ratio(apiCpuSeconds / imported.seconds),
          target: '—',
        },
        {
          benchmark,
          figure: 'api peak RSS (floor: RSS before)',
          value: fmt.mb(peakRss),
          floor: fmt.mb(baseRss),
          ratio: fmt.ratio(peakRss / baseRss),
          target: '—',
        },
        {
          benchmark,
          figure: 'peak RSS growth (floor: export size)',
          value: fmt.mb(peakRss - baseRss),
          floor: fmt.mb(exportBytes),
          ratio: fmt.ratio((peakRss - baseRss) / exportBytes),
          target: '—',
        },
        {
          benchmark,
          figure: `live heap growth, after ${peaks.majorGcs} major GCs (floor: export size)`,
          value: peaks.majorGcs > 0 ? fmt.mb(liveGrowth) : 'no major GC',
          floor: fmt.mb(exportBytes),
          ratio: peaks.majorGcs > 0 ? fmt.ratio(liveGrowth / exportBytes) : '',
          target: '≤ 0.5× (streams)',
          met: peaks.majorGcs > 0 ? liveGrowth / exportBytes <= 0.5 : undefined,
        },
        {
          benchmark,
          figure: 'heap kept after the import, after GC (floor: before)',
          value: fmt.mb(retained.heapUsed),
          floor: fmt.mb(heapBefore.heapUsed),
          ratio: fmt.ratio(retained.heapUsed / heapBefore.heapUsed),
          target: '—',
        },
      ];
    });
  },
};

/** `\copy "ChatMessage" (...) FROM '<csv>' CSV`: psql streams the file as COPY … FROM STDIN. */
function copyWithPsql(psql: string, url: string, csv: string): Promise<{ seconds: number }> {
  const columns = csvColumns.map((column) => `"${column}"`).join(', ');
  const command = `\\copy "ChatMessage" (${columns}) FROM '${csv.replace(/'/g, "''")}' WITH (FORMAT csv)`;
  return timed(async () => {
    await execFileAsync(psql, [
      '--no-psqlrc',
      '-v',
      'ON_ERROR_STOP=1',
      '-q',
      '-d',
      url,
      '-c',
      command,
    ]);
  });
}

async function expectRows(db: pg.Client, expected: number): Promise<void> {
  const count = Number((await db.query('SELECT count(*) AS n FROM "ChatMessage"')).rows[0].n);
  if (count !== expected) throw new Error(`the floor loaded ${count} of ${expected} rows`);
}

async function timed(work: () => Promise<void>): Promise<{ seconds: number }> {
  const started = process.hrtime.bigint();
  await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Without psql: the rows in one INSERT … SELECT FROM unnest per 10,000 rows, one transaction. */
function insertWithUnnest(db: pg.Client, rows: (string | null)[][]): Promise<{ seconds: number }> {
  return timed(async () => {
    await db.query('BEGIN');
    for (let start = 0; start < rows.length; start += 10_000) {
      const batch = rows.slice(start, start + 10_000);
      await db.query(
        `INSERT INTO "ChatMessage" (${csvColumns.map((c) => `"${c}"`).join(', ')})
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::bigint[], $5::text[], $6::text[],
           $7::timestamptz[], $8::timestamptz[], $9::int[], $10::text[], $11::text[], $12::uuid[], $13::boolean[],
           $14::timestamptz[], $15::timestamptz[])`,
        csvColumns.map((_, index) => batch.map((row) => row[index] ?? null)),
      );
    }
    await db.query('COMMIT');
  });
}

/** The importer's batch size (`importTelegramExport` in apps/api/src/services/chat-export.ts). */
const IMPORT_BATCH = 2_000;

/** The importer's statement (`upsertChatMessageRows`), 2,000 rows a batch, in one transaction. */
function upsertLikeTheImporter(
  db: pg.Client,
  rows: (string | null)[][],
  chatId: number,
): Promise<{ seconds: number }> {
  const at = (name: string) => csvColumns.indexOf(name);
  return timed(async () => {
    await db.query('BEGIN');
    for (let start = 0; start < rows.length; start += IMPORT_BATCH) {
      const batch = rows.slice(start, start + IMPORT_BATCH);
      const value = (row: (string | null)[], name: string) => row[at(name)] ?? null;
      // One JSON parameter per batch, as the api sends it (`upsertChatMessageRows`).
      const json = JSON.stringify(
        batch.map((row) => ({
          message_id: Number(value(row, 'messageId')),
          author_id:
            value(row, 'authorTelegramId') === null ? null : Number(value(row, 'authorTelegramId')),
          author_name: value(row, 'authorName'),
          text: value(row, 'text'),
          date: value(row, 'date'),
          edit_date: value(row, 'editDate'),
          reply_to:
            value(row, 'replyToMessageId') === null ? null : Number(value(row, 'replyToMessageId')),
          media_group: value(row, 'mediaGroupId'),
          kind: value(row, 'kind'),
          asset_id: value(row, 'assetId'),
          file_name: value(row, 'fileName'),
          too_big: value(row, 'fileTooBig') === 'true' || value(row, 'fileTooBig') === 't',
        })),
      );
      await db.query(sql.upsertChatMessages, [String(chatId), 'export', json]);
    }
    await db.query('COMMIT');
  });
}

/** The CSV written by writeTelegramExport: every value quoted, NULL as an empty unquoted field. */
function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let index = 0;
  while (index < text.length) {
    if (text[index] === '"') {
      let value = '';
      index += 1;
      for (;;) {
        const quote = text.indexOf('"', index);
        value += text.slice(index, quote);
        index = quote + 1;
        if (text[index] === '"') {
          value += '"';
          index += 1;
        } else break;
      }
      row.push(value);
    } else {
      row.push(null);
    }
    const separator = text[index];
    index += 1;
    if (separator === '\n') {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}
