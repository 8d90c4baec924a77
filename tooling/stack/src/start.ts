import path from 'node:path';

import { inheritedEnv, loadEnv, repoRoot } from './env';
import type { Child } from './processes';
import { startChild, stopAll, waitUntilUp } from './processes';
import { TelegramControl, startParamOf } from './telegram-control';

/**
 * `npm start`: the whole product on one machine. The api (serving the Mini App and the REST
 * shim for 1C), the bot, and — unless real ones are configured — the Telegram Bot API test
 * server and the 1C emulator, each as its own process, with a seeded demo deal room.
 */

// Development credentials shared by the local parts; production sets its own.
const DEV_BOT_TOKEN = '1000000001:development-only-bot-token-xxxxxxxx';
const DEV_BOT_USERNAME = 'payreq_deal_bot';
const DEV_MINI_APP = 'app';
const DEV_SERVICE_TOKEN = 'development-only-bot-service-token';
const DEV_ONEC_KEY = 'development-only-onec-api-key';

const demo = {
  anna: {
    id: 7000000001,
    first_name: 'Анна',
    last_name: 'Смирнова',
    username: 'anna_bank',
    language_code: 'ru',
  },
  boris: {
    id: 7000000002,
    first_name: 'Борис',
    last_name: 'Орлов',
    username: 'boris_bank',
    language_code: 'ru',
  },
  ivan: {
    id: 5000000001,
    first_name: 'Иван',
    last_name: 'Петров',
    username: 'ivan_romashka',
    language_code: 'ru',
  },
};

async function main(): Promise<void> {
  const env = loadEnv();
  const base = inheritedEnv();
  const localTelegram = !env.TELEGRAM_BOT_TOKEN;
  const localOnec = !env.ONEC_BASE_URL;
  const botToken = env.TELEGRAM_BOT_TOKEN ?? DEV_BOT_TOKEN;
  const apiUrl = `http://127.0.0.1:${env.API_PORT}`;
  const webappUrl = env.WEBAPP_URL ?? `${apiUrl}/`;
  const telegramRoot = localTelegram
    ? `http://127.0.0.1:${env.TELEGRAM_TEST_SERVER_PORT}`
    : (env.TELEGRAM_API_ROOT ?? 'https://api.telegram.org');
  const onecUrl = env.ONEC_BASE_URL ?? `http://127.0.0.1:${env.ONEC_EMULATOR_PORT}/bank`;
  const serviceToken = base.BOT_SERVICE_TOKEN ?? DEV_SERVICE_TOKEN;
  const onecKey = base.ONEC_INBOUND_API_KEY ?? DEV_ONEC_KEY;
  const children: Child[] = [];

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await stopAll(children);
    console.log('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    if (localTelegram) {
      const telegram = startChild(
        'telegram-test-server',
        path.join(repoRoot, 'packages/telegram-testkit/src/cli.ts'),
        base,
        env.STACK_LOG_DIR,
        [
          '--port',
          String(env.TELEGRAM_TEST_SERVER_PORT),
          '--bot-token',
          botToken,
          '--bot-username',
          DEV_BOT_USERNAME,
          '--mini-app-url',
          webappUrl,
          '--allow-http-webapp',
        ],
      );
      children.push(telegram);
      await waitUntilUp(telegram, `${telegramRoot}/__control/state`);
    }
    if (localOnec) {
      const onec = startChild(
        'onec-emulator',
        path.join(repoRoot, 'apps/onec-emulator/src/main.ts'),
        {
          ...base,
          ONEC_EMULATOR_PORT: String(env.ONEC_EMULATOR_PORT),
          ONEC_EMULATOR_PLATFORM_URL: apiUrl,
          ONEC_EMULATOR_PLATFORM_API_KEY: onecKey,
          ONEC_EMULATOR_DATA_FILE: path.join(repoRoot, '.data/onec-emulator.json'),
        },
        env.STACK_LOG_DIR,
      );
      children.push(onec);
      await waitUntilUp(onec, `http://127.0.0.1:${env.ONEC_EMULATOR_PORT}/__emulator/health`);
    }
    const api = startChild(
      'api',
      path.join(repoRoot, 'apps/api/src/main.ts'),
      {
        SEED_AGENTS: `Анна Смирнова:${demo.anna.id},Борис Орлов:${demo.boris.id}`,
        ...base,
        PORT: String(env.API_PORT),
        TELEGRAM_BOT_TOKEN: botToken,
        TELEGRAM_API_ROOT: telegramRoot,
        BOT_SERVICE_TOKEN: serviceToken,
        ONEC_BASE_URL: onecUrl,
        ONEC_INBOUND_API_KEY: onecKey,
      },
      env.STACK_LOG_DIR,
    );
    children.push(api);
    await waitUntilUp(api, `${apiUrl}/healthz`);

    const bot = startChild(
      'bot',
      path.join(repoRoot, 'apps/bot/src/main.ts'),
      {
        ...base,
        TELEGRAM_BOT_TOKEN: botToken,
        TELEGRAM_API_ROOT: telegramRoot,
        BOT_USERNAME: base.BOT_USERNAME ?? DEV_BOT_USERNAME,
        MINI_APP_SHORT_NAME: base.MINI_APP_SHORT_NAME ?? DEV_MINI_APP,
        WEBAPP_URL: webappUrl,
        API_URL: apiUrl,
        BOT_SERVICE_TOKEN: serviceToken,
        DELIVERY_POLL_MS: base.DELIVERY_POLL_MS ?? '500',
      },
      env.STACK_LOG_DIR,
    );
    children.push(bot);

    const lines = [
      '',
      'PayReq is running.',
      `  api and Mini App   ${apiUrl}   (health /healthz, 1C REST reference /onec/docs)`,
      localTelegram
        ? `  Telegram (test)    ${telegramRoot}   (control API /__control)`
        : `  Telegram           ${telegramRoot}`,
      localOnec
        ? `  1C emulator        ${onecUrl}/operator   (login payreq / payreq)`
        : `  1C                 ${onecUrl}`,
      `  database           ${env.DATABASE_URL ? env.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@') : `embedded PGlite in ${shown(base.PGLITE_DATA_DIR ?? path.join(repoRoot, '.data/pglite'))}`}`,
      `  logs               ${shown(env.STACK_LOG_DIR)}/*.log`,
    ];
    if (localTelegram)
      lines.push(
        '',
        ...(await demoDealRoom(new TelegramControl(telegramRoot), botToken, webappUrl)),
      );
    lines.push('', 'Ctrl-C stops everything.');
    console.log(lines.join('\n'));
    const first = await Promise.race(children.map((child) => child.exited.then(() => child)));
    if (!stopping) {
      console.error(`${first.name} stopped unexpectedly: see ${first.logFile}`);
      await stop(1);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stop(1);
  }
}

/** Anna (a whitelisted agent) opens a deal room with Ivan and adds the bot, as a manager would. */
async function demoDealRoom(
  control: TelegramControl,
  botToken: string,
  webappUrl: string,
): Promise<string[]> {
  for (const user of Object.values(demo)) await control.createUser(user);
  for (let i = 0; i < 100 && !(await control.hasPolled(botToken)); i += 1)
    await new Promise((r) => setTimeout(r, 200));
  const chatId = await control.createGroup(demo.anna.id, 'Сделка: ООО «Ромашка» — платёж в Китай', [
    demo.ivan.id,
    demo.boris.id,
  ]);
  await control.addBot(chatId, botToken, demo.anna.id, true);
  const messages = await control.botMessages(chatId, 20_000);
  const startParam = messages.map((message) => startParamOf(message.replyMarkup)).find(Boolean);
  if (!startParam)
    return [`Demo deal room ${chatId}: the bot posted no Mini App button (see the bot's log).`];
  const open = (user: number, extra: { startParam?: string; chat?: number; url?: string } = {}) =>
    control.launchUrl({ user, bot: botToken, url: extra.url ?? webappUrl, ...extra });
  return [
    `Demo deal room "Сделка: ООО «Ромашка»" (chat ${chatId}): Анна added the bot, it posted the Mini App button.`,
    'Open the Mini App in a browser (launch links signed by the Telegram test server, so auth is real):',
    `  as the client, Иван Петров:   ${await open(demo.ivan.id, { startParam, chat: chatId })}`,
    `  as the agent, Анна Смирнова:  ${await open(demo.anna.id, { startParam, chat: chatId })}`,
    `  the agents' board (Борис):     ${await open(demo.boris.id, { url: `${webappUrl}?mode=board` })}`,
  ];
}

/** A path as short as it can be said from here. */
function shown(target: string): string {
  const relative = path.relative(process.cwd(), target);
  return relative && !relative.startsWith('..') ? relative : target;
}

void main();
