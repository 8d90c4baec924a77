import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultPgliteDataDir } from '../src/paths';
import { pgConfigFromUrl, redactUrl, resolveDatabaseTarget, withDatabase } from '../src/target';

describe('resolveDatabaseTarget', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('defaults to the file-backed PGlite in <repo>/.data/pglite', () => {
    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('PGLITE_DATA_DIR', '');
    expect(resolveDatabaseTarget()).toEqual({ kind: 'pglite', dataDir: defaultPgliteDataDir });
    expect(defaultPgliteDataDir.endsWith(path.join('.data', 'pglite'))).toBe(true);
  });

  it('reads DATABASE_URL and PGLITE_DATA_DIR, options first', () => {
    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('PGLITE_DATA_DIR', '/tmp/x');
    expect(resolveDatabaseTarget()).toEqual({ kind: 'pglite', dataDir: '/tmp/x' });
    vi.stubEnv('DATABASE_URL', 'memory://');
    expect(resolveDatabaseTarget()).toEqual({ kind: 'pglite', dataDir: 'memory://' });
    vi.stubEnv('DATABASE_URL', 'postgresql://u:p@db:5433/app');
    expect(resolveDatabaseTarget()).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:p@db:5433/app',
    });
    expect(resolveDatabaseTarget({ pgliteDataDir: '/tmp/y' })).toEqual({
      kind: 'pglite',
      dataDir: '/tmp/y',
    });
    expect(resolveDatabaseTarget({ url: 'memory://' })).toEqual({
      kind: 'pglite',
      dataDir: 'memory://',
    });
  });

  it('rejects other URLs', () => {
    expect(() => resolveDatabaseTarget({ url: 'mysql://x' })).toThrow(/Unsupported/);
  });

  it('refuses credentials a URL would misread, without showing them', () => {
    for (const url of [
      'postgresql://u:Pg@walk@h/db',
      'postgresql://u:a/b@h/db',
      'postgresql://u:a#b@h/db',
      'postgresql://u:100%@h/db',
    ]) {
      expect(() => resolveDatabaseTarget({ url })).toThrow(/must percent-encode/);
      expect(() => resolveDatabaseTarget({ url })).not.toThrow(/Pg|a\/b|a#b|100%/);
    }
    // Encoded, the same passwords are fine.
    expect(resolveDatabaseTarget({ url: 'postgresql://u:Pg%40walk%2F%25@h/db' }).kind).toBe(
      'postgres',
    );
  });
});

describe('pgConfigFromUrl', () => {
  it('gives discrete fields', () => {
    expect(
      pgConfigFromUrl('postgresql://us%40er:p%3Ass@db.local:5433/my_db?sslmode=require'),
    ).toEqual({
      host: 'db.local',
      port: 5433,
      user: 'us@er',
      password: 'p:ss',
      database: 'my_db',
      ssl: { rejectUnauthorized: false },
    });
    expect(pgConfigFromUrl('postgres://postgres@127.0.0.1/postgres')).toMatchObject({
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      password: undefined,
      database: 'postgres',
    });
    expect(pgConfigFromUrl('postgresql://u@localhost/app?host=/var/run/postgresql')).toMatchObject({
      host: '/var/run/postgresql',
    });
  });

  it('helps with messages and other databases', () => {
    expect(redactUrl('postgresql://u:secret@h/db')).toBe('postgresql://u:***@h/db');
    expect(redactUrl('postgresql://u@h/db')).toBe('postgresql://u@h/db');
    // A password with an unencoded "@" or "/" is hidden whole, not cut at its first "@".
    expect(redactUrl('postgresql://u:Pg@walk/S3cret@h:5432/db')).toBe(
      'postgresql://u:***@h:5432/db',
    );
    expect(redactUrl('memory://')).toBe('memory://');
    expect(withDatabase('postgresql://u@h:1/postgres?sslmode=disable', 'x')).toBe(
      'postgresql://u@h:1/x?sslmode=disable',
    );
  });
});
