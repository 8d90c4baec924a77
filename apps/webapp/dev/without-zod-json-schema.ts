import { pathToFileURL } from 'node:url';

import type { Plugin } from 'vite';

/** zod's JSON Schema generator: the classic API links it into every schema it builds. */
const jsonSchemaModules = [
  '/zod/v4/core/json-schema-processors.js',
  '/zod/v4/core/to-json-schema.js',
];

/**
 * The Mini App validates with the shared zod schemas but never turns one into JSON Schema (the
 * api does, for 1C's OpenAPI). zod's classic schemas reference the generator all the same, so
 * it would ship to every phone: ~15 kB of JavaScript, 5 kB gzipped. The build swaps its two
 * modules for ones with the same export names: each gives back a function that throws when
 * called (zod makes some of those functions eagerly, for Standard Schema's `jsonSchema`). If zod
 * moves the modules, nothing matches and the bundle is just bigger again (bench part 5 shows it).
 */
export function withoutZodJsonSchema(): Plugin {
  return {
    name: 'payreq:without-zod-json-schema',
    apply: 'build',
    enforce: 'pre',
    async load(id) {
      const file = id.split('?')[0]!.replaceAll('\\', '/');
      if (!jsonSchemaModules.some((suffix) => file.endsWith(suffix))) return null;
      const names = Object.keys((await import(pathToFileURL(file).href)) as object);
      return [
        "const unavailable = () => { throw new Error('zod JSON Schema is not part of the Mini App build'); };",
        ...names.map((name) => `export const ${name} = () => unavailable;`),
      ].join('\n');
    },
  };
}
