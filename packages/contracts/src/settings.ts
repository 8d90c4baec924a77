import { z } from 'zod';

/**
 * Settings more than one process reads (the api, the bot, the development stack), validated the
 * same way everywhere, and the development values that production refuses to start with.
 */
export const sharedSettings = {
  /** `<bot id>:<secret>` from @BotFather. */
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'a bot token: <id>:<secret>'),
  /** The bot's credential at the api (`Authorization: Bearer ...`). */
  BOT_SERVICE_TOKEN: z.string().min(24, 'at least 24 characters'),
  NODE_ENV: z.enum(['development', 'test', 'production']),
};

/**
 * What the local stack runs with when nothing is configured. Each is public (it is in this
 * repository), so production refuses every one of them.
 */
export const developmentValues = {
  TELEGRAM_BOT_TOKEN: '1000000001:development-only-bot-token-xxxxxxxx',
  BOT_SERVICE_TOKEN: 'development-only-bot-service-token',
  PLATFORM_TOKEN_SECRET: 'development-only-platform-token-secret',
  ONEC_INBOUND_API_KEY: 'development-only-onec-api-key',
  ONEC_PASSWORD: 'payreq',
} as const;

/** Whether a URL names this machine (where the development stand-ins for Telegram and 1C run). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '[::1]' ||
    host === '0.0.0.0'
  );
}

export interface ProductionCheck {
  /** The setting's name, as the operator sets it. */
  name: string;
  /** The problem in words, or null when the value is fine for production. */
  problem: string | null;
}

/** A secret is unfit for production while it is the repository's development value. */
export function developmentSecret(
  name: keyof typeof developmentValues,
  value: string | undefined,
): ProductionCheck {
  return {
    name,
    problem:
      value === undefined || value === developmentValues[name]
        ? 'still the development value: set a secret of your own'
        : null,
  };
}

/** A service URL is unfit for production while it points at this machine's stand-ins. */
export function notLoopback(name: string, value: string | undefined): ProductionCheck {
  return {
    name,
    problem:
      value !== undefined && isLoopbackUrl(value)
        ? `points at this machine (${new URL(value).host}), where the development stand-in runs: set the real service's URL`
        : null,
  };
}

/** One message naming every offending setting, or null when production may start. */
export function productionRefusal(what: string, checks: readonly ProductionCheck[]): string | null {
  const problems = checks.filter((check) => check.problem !== null);
  if (problems.length === 0) return null;
  return [
    `Refusing to start ${what} in production (NODE_ENV=production):`,
    ...problems.map((check) => `  ${check.name}: ${check.problem}`),
  ].join('\n');
}
