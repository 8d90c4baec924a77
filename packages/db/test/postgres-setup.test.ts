import { afterEach, describe, expect, it, vi } from 'vitest';

// The globalSetup's decisions, with the server functions mocked (the real ones run in globalSetup).
vi.mock('../src/testing/postgres-server', () => ({
  findPostgresBinDir: vi.fn(),
  startTemporaryPostgres: vi.fn(),
}));

const server = await import('../src/testing/postgres-server');
const { POSTGRES_NOT_FOUND, setupPostgresForTests } = await import('../src/testing/postgres-setup');

describe('setupPostgresForTests', () => {
  const original = process.env.TEST_POSTGRES_URL;
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    if (original === undefined) delete process.env.TEST_POSTGRES_URL;
    else process.env.TEST_POSTGRES_URL = original;
  });

  it('uses TEST_POSTGRES_URL when it is set, starting nothing', async () => {
    vi.stubEnv('TEST_POSTGRES_URL', 'postgresql://postgres@127.0.0.1:5432/postgres');
    const teardown = await setupPostgresForTests();
    expect(server.startTemporaryPostgres).not.toHaveBeenCalled();
    await teardown();
  });

  it('starts a temporary server and hands its URL to the workers', async () => {
    vi.stubEnv('TEST_POSTGRES_URL', '');
    vi.mocked(server.findPostgresBinDir).mockReturnValue('/usr/lib/postgresql/15/bin');
    const stop = vi.fn(async () => undefined);
    vi.mocked(server.startTemporaryPostgres).mockResolvedValue({
      url: 'postgresql://postgres@127.0.0.1:5999/postgres',
      port: 5999,
      dataDir: '/tmp/x',
      stop,
    });
    const teardown = await setupPostgresForTests();
    expect(process.env.TEST_POSTGRES_URL).toBe('postgresql://postgres@127.0.0.1:5999/postgres');
    await teardown();
    expect(stop).toHaveBeenCalledOnce();
    expect(process.env.TEST_POSTGRES_URL).toBeUndefined();
  });

  it('skips with a clear line when PostgreSQL is missing, locally', async () => {
    vi.stubEnv('TEST_POSTGRES_URL', '');
    vi.stubEnv('CI', '');
    vi.mocked(server.findPostgresBinDir).mockReturnValue(undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await setupPostgresForTests();
    expect(log).toHaveBeenCalledWith(POSTGRES_NOT_FOUND);
    expect(POSTGRES_NOT_FOUND).toBe('PostgreSQL not found: skipping the PostgreSQL run');
  });

  it('fails loudly when PostgreSQL is missing on CI', async () => {
    vi.stubEnv('TEST_POSTGRES_URL', '');
    vi.stubEnv('CI', 'true');
    vi.mocked(server.findPostgresBinDir).mockReturnValue(undefined);
    await expect(setupPostgresForTests()).rejects.toThrow(/PostgreSQL not found.*CI/);
  });
});
