import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

/** Every setting of the emulator server, validated once at start. Other files never read process.env. */
export const EmulatorEnv = z.object({
  ONEC_EMULATOR_HOST: z.string().default('127.0.0.1'),
  ONEC_EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4020),
  /** The infobase publication path: the service lives at `{base}/hs/{root}/...`. */
  ONEC_EMULATOR_BASE_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9._~-]+$/, 'one path segment starting with "/"')
    .default('/bank'),
  ONEC_EMULATOR_ROOT: z
    .string()
    .regex(/^[A-Za-z0-9._~-]+$/)
    .default('payreq'),
  /** The 1C user the platform signs in with (HTTP Basic). */
  ONEC_EMULATOR_USERNAME: z.string().min(1).default('payreq'),
  ONEC_EMULATOR_PASSWORD: z.string().min(1).default('payreq'),
  /** The platform's base URL; 1C calls `{url}/onec/v1/...`. */
  ONEC_EMULATOR_PLATFORM_URL: z.preprocess(
    emptyToUndefined,
    z.url().default('http://127.0.0.1:3000'),
  ),
  ONEC_EMULATOR_PLATFORM_API_KEY: z.string().min(1).default('development-only-onec-api-key'),
  /** When set, every call to the platform carries `x-signature` (HMAC-SHA256 of the body). */
  ONEC_EMULATOR_HMAC_SECRET: optionalString,
  /** JSON file that keeps the state across restarts; unset: memory only. */
  ONEC_EMULATOR_DATA_FILE: optionalString,
  /** The emulated 1C server's time zone (dates without zone are in it). */
  ONEC_EMULATOR_TIME_ZONE: z.string().default('Europe/Moscow'),
  /** Generate and post documents the platform asks for without an operator. */
  ONEC_EMULATOR_AUTO_GENERATE: booleanFlag.default(true),
  ONEC_EMULATOR_AUTO_GENERATE_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  /** Public URL of the emulated web client (links); default: the local base URL. */
  ONEC_EMULATOR_WEB_CLIENT_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  ONEC_EMULATOR_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
});
export type EmulatorEnv = z.infer<typeof EmulatorEnv>;

/** What `src/cli.ts` needs to reach a running emulator. */
export const CliEnv = z.object({
  /** The emulator's base URL (with the base path). */
  ONEC_EMULATOR_URL: z.url().default('http://127.0.0.1:4020/bank'),
  ONEC_EMULATOR_USERNAME: z.string().min(1).default('payreq'),
  ONEC_EMULATOR_PASSWORD: z.string().min(1).default('payreq'),
});
export type CliEnv = z.infer<typeof CliEnv>;

function parse<T extends z.ZodType>(
  schema: T,
  source: Record<string, string | undefined>,
  what: string,
): z.infer<T> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid ${what} configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadEnv(source: Record<string, string | undefined> = process.env): EmulatorEnv {
  return parse(EmulatorEnv, source, '1C emulator');
}

export function loadCliEnv(source: Record<string, string | undefined> = process.env): CliEnv {
  return parse(CliEnv, source, '1C emulator CLI');
}
