import path from 'node:path';

import { openDealRoom, untouchedDealRoom } from './deal-room';
import { inheritedEnv, loadEnv } from './env';
import { fullName, people } from './people';
import type { Stack } from './stack';
import { startStack } from './stack';
import { TelegramControl, standinLink } from './telegram-control';
import { buildStalePages } from './demo/webapp';

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
    JOURNAL_DIR: path.join(env.STACK_DATA_DIR, 'bot-journal'),
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
    // The Mini App and the Telegram stand-in are built pages: built here when stale.
    const built = await buildStalePages();
    const names = {
      webapp: 'the Mini App',
      portal: 'the portal',
      standin: 'the Telegram stand-in',
    };
    if (built.length > 0)
      console.log(`Built ${built.map((page) => names[page]).join(' and ')} (vite build).`);
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
      ...(stack.standinUrl
        ? [
            `  Telegram (web)     ${stack.standinUrl}   pick ${fullName(people.ivan)} (the client) or ${fullName(people.anna)} (the bank's agent)`,
          ]
        : []),
      `  api and Mini App   ${stack.apiUrls.join(', ')}   (health /healthz, metrics /metrics, 1C REST reference /onec/docs)`,
      `  portal             ${stack.apiUrls[0]}/portal/   ${
        stack.localTelegram
          ? `"Войти через Telegram", then pick ${fullName(people.anna)} (agent, administrator), ${fullName(people.boris)} (agent), or ${fullName(people.ivan)} (registers his company and files a request for agents' offers) on the test server's login page`
          : `Telegram's Login Widget (set the bot's domain with BotFather's /setdomain)`
      }`,
      ...(stack.botOpsUrl
        ? [`  bot                ${stack.botOpsUrl}/healthz, ${stack.botOpsUrl}/metrics`]
        : []),
      stack.localTelegram
        ? `  Telegram (test)    ${stack.telegramRoot}   (control API /__control)`
        : `  Telegram           ${stack.telegramRoot}`,
      stack.localOnec
        ? `  1C emulator        ${stack.onecUrl}/operator   (login payreq / payreq; ${new URL(stack.onecUrl).origin}/healthz, /metrics)`
        : `  1C                 ${stack.onecUrl}`,
      // Masked up to the last @, as @payreq/db's redactUrl (not imported: it loads Prisma).
      `  database           ${env.DATABASE_URL ? env.DATABASE_URL.replace(/\/\/.*@/, '//***@') : `embedded PGlite in ${shown(base.PGLITE_DATA_DIR)}`}`,
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

/**
 * Anna (a whitelisted agent) opens a deal room with Ivan and adds the bot, as a manager would;
 * or, when an earlier start's room is still untouched, that room is opened again.
 */
async function demoDealRoom(stack: Stack): Promise<string[]> {
  const control = new TelegramControl(stack.telegramRoot);
  const earlier = await untouchedDealRoom(control, {
    botToken: stack.botToken,
    agent: people.anna,
  });
  const room =
    earlier ??
    (await openDealRoom(control, {
      botToken: stack.botToken,
      agent: people.anna,
      members: [people.ivan, people.boris],
    }));
  const { chatId, launchLink } = room;
  if (!launchLink || !stack.standinUrl)
    return [`Demo deal room ${chatId}: the bot posted no Mini App button (see the bot's log).`];
  const botId = Number(stack.botToken.split(':')[0]);
  // Through the stand-in: Telegram's side of the Mini App exists there (a plain tab has none).
  const open = (as: number, chat: number, link: string) =>
    standinLink(stack.standinUrl!, { as, chat, open: link });
  return [
    earlier
      ? `Demo deal room "${room.title}" (chat ${chatId}), from an earlier start: nobody has written in it since the bot's welcome.`
      : `Demo deal room "${room.title}" (chat ${chatId}): Анна added the bot, it posted the Mini App button.`,
    'The Mini App in the Telegram stand-in, opened from the bot as Telegram opens it (init data signed by the test server, so auth is real):',
    `  as the client, ${fullName(people.ivan)}:   ${open(people.ivan.id, chatId, launchLink)}`,
    `  as the agent, ${fullName(people.anna)}:  ${open(people.anna.id, chatId, launchLink)}`,
    `  the agents' board (${people.boris.first_name}):     ${open(people.boris.id, botId, `https://t.me/${stack.botUsername}/${stack.miniAppShortName}`)}`,
  ];
}

/** A path as short as it can be said from here. */
function shown(target: string): string {
  const relative = path.relative(process.cwd(), target);
  return relative && !relative.startsWith('..') ? relative : target;
}

void main();
