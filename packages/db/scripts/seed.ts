// Seeds the master tenant and the agents' whitelist (idempotent):
//   SEED_MASTER_TENANT_NAME="Банк" SEED_AGENTS="Анна:111,Борис:222" pnpm seed
// The database comes from DATABASE_URL like the other scripts; it must be migrated first.
import { createDb } from '../src/client';
import { parseSeedAgents, seed } from '../src/seed';
import { readScriptEnv } from './env';

async function main(): Promise<void> {
  const env = readScriptEnv();
  const agents = parseSeedAgents(env.SEED_AGENTS);
  const db = await createDb({ url: env.DATABASE_URL, pgliteDataDir: env.PGLITE_DATA_DIR });
  try {
    const result = await seed(db.prisma, { masterTenantName: env.SEED_MASTER_TENANT_NAME, agents });
    const a = result.agents;
    console.log(
      `Master tenant "${env.SEED_MASTER_TENANT_NAME}" ${result.masterTenantCreated ? 'created' : 'present'}; ` +
        `agents: ${a.created} created, ${a.updated} updated, ${a.unchanged} unchanged, ${a.deactivated} deactivated`,
    );
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
