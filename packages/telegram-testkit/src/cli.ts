#!/usr/bin/env tsx
/**
 * Starts the Telegram Bot API test server.
 *
 *   tsx src/cli.ts --port 8081 --bot-token 7345610023:AAF... [--bot-username payreq_bot] [...]
 *
 * Options: --port (default 8081), --host (default 127.0.0.1), --bot-token (repeatable; a token is
 * generated when none is given), --bot-username (repeatable, matched to tokens by position),
 * --no-privacy (bots see all group messages), --allow-http-webapp (accept http:// Mini App
 * URLs in web_app buttons), --mini-app-url (main Mini App URL of every bot), --telegram-limits
 * (answer 429 beyond Telegram's sending limits: 20 a minute per group, 30 a second overall),
 * --update-retention-ms (how long unconfirmed updates are kept; Telegram: 24 h), --verbose.
 */
import { parseArgs } from 'node:util';
import { TELEGRAM_RATE_LIMITS } from './bot-api';
import { TelegramTestServer } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8081' },
    host: { type: 'string', default: '127.0.0.1' },
    'bot-token': { type: 'string', multiple: true, default: [] },
    'bot-username': { type: 'string', multiple: true, default: [] },
    'no-privacy': { type: 'boolean', default: false },
    'allow-http-webapp': { type: 'boolean', default: false },
    'mini-app-url': { type: 'string' },
    'telegram-limits': { type: 'boolean', default: false },
    'update-retention-ms': { type: 'string' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  console.log(
    'usage: telegram-test-server [--port 8081] [--host 127.0.0.1] [--bot-token TOKEN]... [--bot-username NAME]...\n' +
      '       [--no-privacy] [--allow-http-webapp] [--mini-app-url URL] [--telegram-limits]\n' +
      '       [--update-retention-ms MS] [--verbose]',
  );
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}

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
const tokens = values['bot-token'].length > 0 ? values['bot-token'] : [undefined];
tokens.forEach((token, i) => {
  const username = values['bot-username'][i];
  server.createBot({
    ...(token !== undefined ? { token } : {}),
    ...(username !== undefined ? { username } : {}),
    privacyMode: !values['no-privacy'],
    ...(values['mini-app-url'] !== undefined ? { mainMiniAppUrl: values['mini-app-url'] } : {}),
  });
});

const url = await server.start({ port, host: values.host });
console.log(`Telegram Bot API test server listening on ${url}`);
for (const bot of server.listBots()) {
  console.log(`  bot @${bot.username} id=${bot.id} token=${bot.token}`);
  console.log(`    apiRoot: ${url}  (e.g. ${url}/bot${bot.token}/getMe)`);
}
console.log(`  control API: ${url}/__control`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  void server.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
