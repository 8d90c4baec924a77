import path from 'node:path';

import { openDealRoom } from './deal-room';
import { inheritedEnv, loadEnv } from './env';
import { people } from './people';
import type { Stack } from './stack';
import { startStack } from './stack';
import { TelegramControl } from './telegram-control';
import { buildWebapp, webappBuildIsStale } from './demo/webapp';

/**
 * `npm start`: the whole product on one machine. The api (serving the Mini App and the REST
 * shim for 1C), the bot, and — unless real ones are configured — the Telegram Bot API test
 * server and the 1C emulator, each as its own process, with a seeded demo deal room.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  const base = {
    PGLITE_DATA_DIR: path.join(env.STACK_DATA_DIR, 'pglite'),
    FILE_STORAGE_DIR: path.join(env.STACK_DATA_DIR, 'files'),
    ...inheritedEnv(),
  };
  const abort = new AbortController();
  let starting: Promise<Stack> | null = null;

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    abort.abort();
    console.log('\nStopping…');
    // While starting, startStack stops what it started and rejects.
    const stack = await starting?.catch(() => null);
    await stack?.stop();
    console.log('Stopped.');
    process.exit(code);
  };
  // A terminal closed (SIGHUP) or a service manager's stop (SIGTERM) stops it as Ctrl-C does.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void stop(0));
  // The runner (`npm start`) gone without a word (SIGKILL): nobody would stop the parts.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop(0);
  }, 1_000).unref();

  try {
    if (webappBuildIsStale()) {
      console.log('Building the Mini App (vite build)…');
      await buildWebapp();
    }
    starting = startStack({
      logDir: env.STACK_LOG_DIR,
      baseEnv: base,
      apiPorts: Array.from({ length: env.API_INSTANCES }, (_, index) => env.API_PORT + index),
      telegram: env.TELEGRAM_BOT_TOKEN
        ? {
            apiRoot: env.TELEGRAM_API_ROOT ?? 'https://api.telegram.org',
            botToken: env.TELEGRAM_BOT_TOKEN,
          }
        : {
            port: env.TELEGRAM_TEST_SERVER_PORT,
            // Kept beside the database, which remembers the chats of earlier runs: a new group
            // never gets an old deal room's chat id.
            dataFile: path.join(env.STACK_DATA_DIR, 'telegram-test-server.bin'),
          },
      onec: env.ONEC_BASE_URL
        ? { baseUrl: env.ONEC_BASE_URL }
        : {
            port: env.ONEC_EMULATOR_PORT,
            dataFile: path.join(env.STACK_DATA_DIR, 'onec-emulator.json'),
          },
      webappUrl: env.WEBAPP_URL,
      botOpsPort: env.BOT_OPS_PORT,
      signal: abort.signal,
      // A stand-in or the bot that stops is started again; only the api stopping ends it all.
      restart: true,
      onRestart: (notice) => {
        if (!stopping)
          console.error(
            `${notice.name} stopped (${notice.reason}): starting it again in ${notice.delayMs / 1000} s (restart ${notice.attempt}; see ${shown(notice.logFile)})`,
          );
      },
    });
    const stack = await starting;

    const lines = [
      '',
      'PayReq is running.',
      `  api and Mini App   ${stack.apiUrls.join(', ')}   (health /healthz, metrics /metrics, 1C REST reference /onec/docs)`,
      ...(stack.botOpsUrl
        ? [`  bot                ${stack.botOpsUrl}/healthz, ${stack.botOpsUrl}/metrics`]
        : []),
      stack.localTelegram
        ? `  Telegram (test)    ${stack.telegramRoot}   (control API /__control)`
        : `  Telegram           ${stack.telegramRoot}`,
      stack.localOnec
        ? `  1C emulator        ${stack.onecUrl}/operator   (login payreq / payreq; ${new URL(stack.onecUrl).origin}/healthz, /metrics)`
        : `  1C                 ${stack.onecUrl}`,
      `  database           ${env.DATABASE_URL ? env.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@') : `embedded PGlite in ${shown(base.PGLITE_DATA_DIR)}`}`,
      `  logs               ${shown(env.STACK_LOG_DIR)}/*.log`,
    ];
    if (stack.localTelegram) lines.push('', ...(await demoDealRoom(stack)));
    lines.push('', 'Ctrl-C (or SIGTERM, SIGHUP) stops everything.');
    console.log(lines.join('\n'));
    const first = await stack.firstExit();
    if (!stopping) {
      const signal = first.process.signalCode;
      const how = signal ? `signal ${signal}` : `exit code ${first.process.exitCode}`;
      console.error(
        `${first.name} stopped (${how}), and the stack cannot run without it: see ${shown(first.logFile)}`,
      );
      await stop(1);
    }
  } catch (error) {
    if (stopping) return;
    console.error(error instanceof Error ? error.message : error);
    await stop(1);
  }
}

/** Anna (a whitelisted agent) opens a deal room with Ivan and adds the bot, as a manager would. */
async function demoDealRoom(stack: Stack): Promise<string[]> {
  const control = new TelegramControl(stack.telegramRoot);
  const room = await openDealRoom(control, {
    botToken: stack.botToken,
    agent: people.anna,
    members: [people.ivan, people.boris],
  });
  const { chatId, startParam } = room;
  if (!startParam)
    return [`Demo deal room ${chatId}: the bot posted no Mini App button (see the bot's log).`];
  const open = (user: number, extra: { startParam?: string; chat?: number; url?: string } = {}) =>
    control.launchUrl({ user, bot: stack.botToken, url: extra.url ?? stack.webappUrl, ...extra });
  return [
    `Demo deal room "Сделка: ООО «Ромашка»" (chat ${chatId}): Анна added the bot, it posted the Mini App button.`,
    'Open the Mini App in a browser (launch links signed by the Telegram test server, so auth is real):',
    `  as the client, Иван Петров:   ${await open(people.ivan.id, { startParam, chat: chatId })}`,
    `  as the agent, Анна Смирнова:  ${await open(people.anna.id, { startParam, chat: chatId })}`,
    `  the agents' board (Борис):     ${await open(people.boris.id, { url: `${stack.webappUrl}?mode=board` })}`,
  ];
}

/** A path as short as it can be said from here. */
function shown(target: string): string {
  const relative = path.relative(process.cwd(), target);
  return relative && !relative.startsWith('..') ? relative : target;
}

void main();
