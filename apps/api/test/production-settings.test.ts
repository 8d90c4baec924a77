import { describe, expect, it } from 'vitest';

import { productionSettings } from '@payreq/testing';

import { loadEnv } from '../src/env';

/** A production configuration with nothing left at its development value. */
const production = {
  ...productionSettings,
  DATABASE_URL: 'postgresql://payreq:secret@db.bank.example:5432/payreq',
};

function refusal(settings: Record<string, string | undefined>): string {
  try {
    loadEnv(settings);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('production settings', () => {
  it('starts with real secrets, real services, PostgreSQL and an S3 store', () => {
    expect(loadEnv(production).NODE_ENV).toBe('production');
  });

  it('refuses the embedded defaults, naming every offending setting at once', () => {
    const message = refusal({ NODE_ENV: 'production' });
    for (const name of [
      'PLATFORM_TOKEN_SECRET',
      'TELEGRAM_BOT_TOKEN',
      'BOT_SERVICE_TOKEN',
      'ONEC_INBOUND_API_KEY',
      'ONEC_PASSWORD',
      'TELEGRAM_API_ROOT',
      'ONEC_BASE_URL',
      'DATABASE_URL',
      'FILE_STORE',
    ]) {
      expect(message).toContain(`  ${name}: `);
    }
    expect(message).toMatch(/^Refusing to start the api in production/);
  });

  it.each([
    ['PLATFORM_TOKEN_SECRET', 'development-only-platform-token-secret', /development value/],
    ['BOT_SERVICE_TOKEN', 'development-only-bot-service-token', /development value/],
    ['ONEC_INBOUND_API_KEY', 'development-only-onec-api-key', /development value/],
    ['ONEC_PASSWORD', 'payreq', /development value/],
    ['TELEGRAM_BOT_TOKEN', '1000000001:development-only-bot-token-xxxxxxxx', /development value/],
    ['TELEGRAM_API_ROOT', 'http://127.0.0.1:8081', /points at this machine \(127\.0\.0\.1:8081\)/],
    ['ONEC_BASE_URL', 'http://localhost:4020/bank', /points at this machine/],
    ['DATABASE_URL', undefined, /PGlite/],
    ['DATABASE_URL', 'memory://', /memory:\/\/ keeps every request in this process only/],
    ['FILE_STORE', 'disk', /ALLOW_LOCAL_STORAGE_IN_PRODUCTION/],
  ])('refuses %s = %s', (name, value, why) => {
    const message = refusal({ ...production, [name]: value });
    const lines = message.split('\n').slice(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^  ${name}: `));
    expect(lines[0]).toMatch(why);
  });

  it('keeps files on local disk only when asked to on purpose', () => {
    const env = loadEnv({
      ...production,
      FILE_STORE: 'disk',
      S3_BUCKET: undefined,
      ALLOW_LOCAL_STORAGE_IN_PRODUCTION: 'true',
    });
    expect(env.FILE_STORE).toBe('disk');
  });

  it('runs on the development defaults outside production', () => {
    expect(loadEnv({}).NODE_ENV).toBe('development');
    expect(loadEnv({ NODE_ENV: 'test' }).DATABASE_URL).toBeUndefined();
  });
});
