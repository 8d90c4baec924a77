import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { serializeOnecOpenApiDocument } from './spec';

/**
 * Writes the committed copy of the 1C REST shim's OpenAPI document:
 *   pnpm --filter @payreq/api exec tsx src/rest/onec/write-openapi.ts
 * (a test fails while the copy differs from what the code generates). The file is formatted
 * with the repository's prettier when it is installed, so `format:check` stays clean.
 */
export const committedOpenApiPath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../docs/onec-openapi.json',
);

async function formatted(text: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const config = await prettier.resolveConfig(committedOpenApiPath);
    return await prettier.format(text, { ...config, filepath: committedOpenApiPath });
  } catch {
    return text;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(committedOpenApiPath, await formatted(serializeOnecOpenApiDocument()));
  console.log(`written ${committedOpenApiPath}`);
}
