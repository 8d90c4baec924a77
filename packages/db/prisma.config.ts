import { defineConfig } from 'prisma/config';

// Only `prisma generate` reads this file: migrations run through scripts/migrate.ts
// (WebAssembly schema engine), because the native engine cannot be downloaded here.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://placeholder:5432/placeholder' },
});
