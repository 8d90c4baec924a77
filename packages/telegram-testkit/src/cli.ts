#!/usr/bin/env tsx
/**
 * Starts the Telegram Bot API test server.
 *
 *   tsx src/cli.ts --port 8081 --bot-token 7345610023:AAF... [--bot-username payreq_bot] [...]
 *
 * Options: --port (default 8081), --host (default 127.0.0.1), --bot-token (repeatable; a token is
 * generated when none is given), --bot-username and --bot-name (repeatable, matched to tokens by
 * position; the name is the one people see, BotFather's /setname, also for a restored bot),
 * --no-privacy (bots see all group messages), --allow-http-webapp (accept http:// Mini App
 * URLs in web_app buttons), --mini-app-url (main Mini App URL of every bot), --mini-app
 * (repeatable `<short name>=<url>`: a Mini App of every bot, for `t.me/<bot>/<short name>` links),
 * --telegram-limits (answer 429 beyond Telegram's sending limits: 20 a minute per group, 30 a
 * second overall), --update-retention-ms (how long unconfirmed updates are kept; Telegram: 24 h),
 * --verbose, --data-file (keep the world in this file: loaded at start, saved as it changes and on
 * stop, so chats, messages and ids carry over to the next start). The web stand-in (a Telegram Web
 * look-alike over this world) is served at /web/.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TELEGRAM_RATE_LIMITS } from './bot-api';
import { TelegramTestServer } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8081' },
    host: { type: 'string', default: '127.0.0.1' },
    'bot-token': { type: 'string', multiple: true, default: [] },
    'bot-username': { type: 'string', multiple: true, default: [] },
    'bot-name': { type: 'string', multiple: true, default: [] },
    'no-privacy': { type: 'boolean', default: false },
    'allow-http-webapp': { type: 'boolean', default: false },
    'mini-app-url': { type: 'string' },
    'mini-app': { type: 'string', multiple: true, default: [] },
    'telegram-limits': { type: 'boolean', default: false },
    'update-retention-ms': { type: 'string' },
    verbose: { type: 'boolean', default: false },
    'data-file': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  console.log(
    'usage: telegram-test-server [--port 8081] [--host 127.0.0.1] [--bot-token TOKEN]... [--bot-username NAME]... [--bot-name NAME]...\n' +
      '       [--no-privacy] [--allow-http-webapp] [--mini-app-url URL] [--mini-app NAME=URL]...\n' +
      '       [--telegram-limits] [--update-retention-ms MS] [--verbose] [--data-file FILE]',
  );
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}

const miniApps = values['mini-app'].map((spec) => {
  const [shortName, ...rest] = spec.split('=');
  const url = rest.join('=');
  if (!shortName || !URL.canParse(url)) {
    console.error(`invalid --mini-app ${spec}: expected <short name>=<url>`);
    process.exit(2);
  }
  return { shortName, url };
});
const retention =
  values['update-retention-ms'] !== undefined ? Number(values['update-retention-ms']) : undefined;
if (retention !== undefined && !(Number.isInteger(retention) && retention > 0)) {
  console.error(`invalid --update-retention-ms ${values['update-retention-ms']}`);
  process.exit(2);
}

const server = new TelegramTestServer({
  allowHttpWebAppUrls: values['allow-http-webapp'],
  verbose: values.verbose,
  ...(values['telegram-limits'] ? { rateLimits: TELEGRAM_RATE_LIMITS } : {}),
  ...(retention !== undefined ? { pendingUpdateRetentionMs: retention } : {}),
});
const dataFile = values['data-file'];
if (dataFile && existsSync(dataFile)) {
  try {
    server.restoreWorld(readFileSync(dataFile));
    console.log(`world restored from ${dataFile}`);
  } catch (error) {
    // Written by another version, or damaged: kept aside, and the world starts empty.
    renameSync(dataFile, `${dataFile}.unreadable`);
    console.error(
      `could not restore the world from ${dataFile} (${error instanceof Error ? error.message : String(error)}): moved to ${dataFile}.unreadable, starting empty`,
    );
  }
}
const known = new Set(server.listBots().map((bot) => bot.token));
const tokens = values['bot-token'].length > 0 ? values['bot-token'] : [undefined];
tokens.forEach((token, i) => {
  const name = values['bot-name'][i];
  if (token !== undefined && known.has(token)) {
    // Restored with the world; a name given now is the one it goes by from now on.
    if (name !== undefined) server.setBotName(token, name);
    return;
  }
  const username = values['bot-username'][i];
  server.createBot({
    ...(token !== undefined ? { token } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(name !== undefined ? { first_name: name } : {}),
    privacyMode: !values['no-privacy'],
    ...(values['mini-app-url'] !== undefined ? { mainMiniAppUrl: values['mini-app-url'] } : {}),
  });
});
for (const bot of server.listBots()) for (const app of miniApps) server.setMiniApp(bot.token, app);

const url = await server.start({ port, host: values.host });
console.log(`Telegram Bot API test server listening on ${url}`);
for (const bot of server.listBots()) {
  console.log(`  bot @${bot.username} id=${bot.id} token=${bot.token}`);
  console.log(`    apiRoot: ${url}  (e.g. ${url}/bot${bot.token}/getMe)`);
}
console.log(`  control API: ${url}/__control`);
console.log(`  web stand-in: ${url}/web/`);

/** Writes the world when it changed (write, then rename: a crash never leaves half a file). */
let saved: Buffer | null = null;
const save = (): void => {
  if (!dataFile) return;
  const bytes = server.saveWorld();
  if (saved?.equals(bytes)) return;
  writeFileSync(`${dataFile}.tmp`, bytes);
  renameSync(`${dataFile}.tmp`, dataFile);
  saved = bytes;
};
const saver = dataFile ? setInterval(save, 1_000) : null;

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  if (saver) clearInterval(saver);
  void server.stop().then(() => {
    save();
    process.exit(0);
  });
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
