import { parseArgs } from 'node:util';

import { runDemo } from './demo/run';

/**
 * `pnpm --filter @payreq/stack demo`: the seed's epic played end to end through the real
 * interfaces, narrated step by step (Russian first, with the English in parentheses).
 *
 *   --lang ru|en|both   the narration's language (default both)
 *   --postgres          PostgreSQL (TEST_POSTGRES_URL's server, or a throwaway one) instead of PGlite
 *   --apis N            N api instances on one PostgreSQL (implies --postgres)
 *   --built             run the built output (`pnpm build`: node dist/…), migrating as a step of its own
 *   --hold              after success keep everything running until Ctrl-C
 *   --data-dir DIR      keep the data and logs in DIR (default: a temporary folder)
 */
const usage =
  'usage: pnpm --filter @payreq/stack demo [--lang ru|en|both] [--postgres] [--apis N] [--built] [--hold] [--data-dir DIR]';

const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift(); // `pnpm demo -- --lang en`

let values;
try {
  ({ values } = parseArgs({
    args: argv,
    options: {
      lang: { type: 'string', default: 'both' },
      postgres: { type: 'boolean', default: false },
      apis: { type: 'string', default: '1' },
      hold: { type: 'boolean', default: false },
      built: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(2);
}
const apis = Number(values.apis);
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (
  !['ru', 'en', 'both'].includes(values.lang) ||
  !Number.isInteger(apis) ||
  apis < 1 ||
  apis > 4
) {
  console.error(usage);
  process.exit(2);
}

const code = await runDemo({
  lang: values.lang as 'ru' | 'en' | 'both',
  apis,
  postgres: values.postgres,
  hold: values.hold,
  built: values.built,
  dataDir: values['data-dir'],
});
process.exit(code);
