import { z } from 'zod';

/** A setting that may be unset; blank counts as unset. */
export const optionalSetting = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const schema = z.object({
  DATABASE_URL: optionalSetting,
  PGLITE_DATA_DIR: optionalSetting,
});

export type DbEnv = z.infer<typeof schema>;

/** The package's configuration from the environment, read when asked (not at import time). */
export function readDbEnv(env: NodeJS.ProcessEnv = process.env): DbEnv {
  return schema.parse(env);
}
