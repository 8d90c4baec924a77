import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { Pool, PoolConfig, QueryResult } from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { openMemoryPglite } from './pglite-cache';

/**
 * PostgreSQL errors (from `pg` or PGlite, which share the wire format) as the driver-adapter error
 * Prisma understands, so the schema engine and the client report them properly.
 */
function toDriverAdapterError(error: unknown): unknown {
  if (error instanceof DriverAdapterError) return error;
  if (typeof error === 'object' && error !== null) {
    const e = error as Record<string, unknown>;
    if (
      typeof e.code === 'string' &&
      typeof e.severity === 'string' &&
      typeof e.message === 'string'
    ) {
      return new DriverAdapterError({
        kind: 'postgres',
        code: e.code,
        severity: e.severity,
        message: e.message,
        detail: typeof e.detail === 'string' ? e.detail : undefined,
        column: typeof e.column === 'string' ? e.column : undefined,
        hint: typeof e.hint === 'string' ? e.hint : undefined,
      });
    }
  }
  return error;
}

/**
 * pglite-prisma-adapter 0.7.2's `executeScript` does not await `exec`, so a failing migration script
 * is reported as applied (and its error becomes an unhandled rejection). Run the script and wait.
 */
function withAwaitedScript(adapter: SqlDriverAdapter, client: PGlite): SqlDriverAdapter {
  return Object.assign(adapter, {
    async executeScript(script: string): Promise<void> {
      try {
        await client.exec(script);
      } catch (error) {
        throw toDriverAdapterError(error);
      }
    },
  });
}

/**
 * Prisma driver-adapter factory over an open PGlite (pglite-prisma-adapter, with the script fix above).
 * Its shadow database is another in-memory PGlite, closed when the engine disposes of it (or by {@link close}).
 */
export class PgliteAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName: string;
  readonly #inner: PrismaPGlite;
  readonly #shadows = new Set<PGlite>();

  /**
   * @param selfAsShadow use the (empty, throwaway) main database as the shadow database too: saves
   *   opening a second PGlite when the engine only diffs (the engine does not reset a shadow, so
   *   this is for one engine operation on a fresh database).
   */
  constructor(
    readonly client: PGlite,
    private readonly selfAsShadow = false,
  ) {
    this.#inner = new PrismaPGlite(client);
    this.adapterName = this.#inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return withAwaitedScript(await this.#inner.connect(), this.client);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    if (this.selfAsShadow) return this.connect();
    return connectInMemoryShadow(this.#shadows);
  }

  /** Closes the shadow databases this factory opened (not the main PGlite, which the caller owns). */
  async close(): Promise<void> {
    await closeShadows(this.#shadows);
  }
}

/**
 * Factory for the schema engine against a real PostgreSQL. Differences from plain `PrismaPg`:
 * - `executeScript` sends the whole migration as one simple-protocol query on one connection, so
 *   PostgreSQL runs it as one implicit transaction (adapter-pg 7.10 splits it on every `;` and runs
 *   the pieces on whatever pooled connection is free);
 * - the shadow database is an in-memory PGlite (adapter-pg's own shadow database either writes into
 *   the main database or leaves `prisma_migrate_shadow_db_*` databases behind).
 */
export class PostgresMigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName: string;
  readonly #inner: PrismaPg;
  readonly #shadows = new Set<PGlite>();
  readonly #open = new Set<SqlDriverAdapter>();

  constructor(config: PoolConfig) {
    // One connection: the engine's advisory lock, its bookkeeping and the scripts share one session.
    this.#inner = new PrismaPg({ ...config, max: 1 });
    this.adapterName = this.#inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const adapter = await this.#inner.connect();
    const pool = adapter.underlyingDriver();
    readCharAsText(pool);
    const open = this.#open;
    const dispose = adapter.dispose.bind(adapter);
    const wrapped: SqlDriverAdapter = Object.assign(adapter, {
      async executeScript(script: string): Promise<void> {
        try {
          await pool.query(script);
        } catch (error) {
          throw toDriverAdapterError(error);
        }
      },
      async dispose(): Promise<void> {
        if (!open.delete(wrapped)) return;
        await dispose();
      },
    });
    open.add(wrapped);
    return wrapped;
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return connectInMemoryShadow(this.#shadows);
  }

  /** Ends the pools the engine did not dispose of, and the shadow databases. */
  async close(): Promise<void> {
    await Promise.all([...this.#open].map((a) => a.dispose()));
    await closeShadows(this.#shadows);
  }
}

/**
 * adapter-pg 7.10 rejects PostgreSQL's internal `"char"` type (OID 18), which the engine meets in the
 * catalog (`pg_class.relkind`…) whenever it introspects: drift checks then fail with "Column type
 * 'char' could not be deserialized". Report those columns as text (pg already parsed them as strings).
 */
function readCharAsText(pool: Pool): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<QueryResult>;
  const patched = async (...args: unknown[]): Promise<QueryResult> => {
    const result = await query(...args);
    for (const field of result.fields ?? []) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
    return result;
  };
  pool.query = patched as unknown as Pool['query'];
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

async function connectInMemoryShadow(shadows: Set<PGlite>): Promise<SqlDriverAdapter> {
  const shadow = await openMemoryPglite();
  shadows.add(shadow);
  const adapter = withAwaitedScript(await new PrismaPGlite(shadow).connect(), shadow);
  return Object.assign(adapter, {
    async dispose(): Promise<void> {
      shadows.delete(shadow);
      if (!shadow.closed) await shadow.close();
    },
  });
}

async function closeShadows(shadows: Set<PGlite>): Promise<void> {
  const open = [...shadows];
  shadows.clear();
  await Promise.all(open.map(async (s) => (s.closed ? undefined : s.close())));
}

/** Prisma Client adapter for PostgreSQL, from discrete pool fields. */
export function postgresClientAdapter(config: PoolConfig): PrismaPg {
  return new PrismaPg(config);
}
