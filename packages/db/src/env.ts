import { z } from 'zod';

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  PGLITE_DATA_DIR: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
});

export type DbEnv = z.infer<typeof schema>;

/** The package's configuration from the environment, read when asked (not at import time). */
export function readDbEnv(env: NodeJS.ProcessEnv = process.env): DbEnv {
  return schema.parse(env);
}
