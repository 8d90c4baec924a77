import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { firstScreenFiles } from '@payreq/testing/builds';

import { withoutZodJsonSchema } from '../dev/without-zod-json-schema';
import { appDir, distDir } from './global-setup';

/** zod as the contracts resolve it (the copy the Mini App bundles). */
const zodCore = path.dirname(
  createRequire(path.join(appDir, '../../packages/contracts/package.json')).resolve('zod/v4/core'),
);
const generatorModules = ['json-schema-processors.js', 'to-json-schema.js'].map((name) =>
  path.join(zodCore, name),
);

async function stubOf(file: string): Promise<Record<string, unknown>> {
  const plugin = withoutZodJsonSchema();
  const load = plugin.load as (id: string) => Promise<string | null>;
  const code = await load.call({}, file);
  if (code === null) throw new Error(`the plugin did not take ${file}`);
  return (await import(`data:text/javascript,${encodeURIComponent(code)}`)) as Record<
    string,
    unknown
  >;
}

describe('the Mini App build', () => {
  it('swaps zod’s JSON Schema generator for stubs with the same exports, which throw only when used', async () => {
    for (const file of generatorModules) {
      const real = (await import(file)) as Record<string, unknown>;
      const stub = await stubOf(file);
      expect(Object.keys(stub).sort(), file).toEqual(Object.keys(real).sort());
      for (const [name, made] of Object.entries(stub)) {
        expect(typeof made, name).toBe('function');
        // Making the function is allowed (zod does it for `~standard`); calling it is not.
        const used = (made as () => () => unknown)();
        expect(() => used(), name).toThrow(/not part of the Mini App build/);
      }
    }
    const plugin = withoutZodJsonSchema();
    const load = plugin.load as (id: string) => Promise<string | null>;
    expect(await load.call({}, path.join(zodCore, 'schemas.js'))).toBeNull();
  });

  it('ships no JSON Schema code to the phone', async () => {
    const assets = path.join(distDir, 'assets');
    const scripts = (await readdir(assets)).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const bundle = (
      await Promise.all(scripts.map((name) => readFile(path.join(assets, name), 'utf8')))
    ).join('\n');
    // Strings only the generator holds.
    const generator = await readFile(generatorModules[1]!, 'utf8');
    for (const marker of ['draft-2020-12', 'openapi-3.0']) {
      expect(generator.includes(marker), `zod's generator holds ${marker}`).toBe(true);
      expect(bundle.includes(marker), `the bundle holds ${marker}`).toBe(false);
    }
    // zod's parser itself is there: the form still validates with the contracts.
    expect(bundle.includes('safeParse')).toBe(true);
  });

  it('keeps zod off the first screen: the form’s checks are a chunk the app loads after it', async () => {
    const assets = path.join(distDir, 'assets');
    const read = (name: string) => readFile(path.join(assets, name), 'utf8');
    const first = [...firstScreenFiles(distDir)];
    const firstCode = (await Promise.all(first.map(read))).join('\n');
    expect(firstCode.includes('safeParse'), 'zod on the first screen').toBe(false);

    const later = (await readdir(assets)).filter(
      (name) => name.endsWith('.js') && !first.includes(name),
    );
    const checks = later.filter((name) => name.startsWith('form-validation-'));
    expect(checks).toHaveLength(1);
    expect((await read(checks[0]!)).includes('safeParse')).toBe(true);
    // The first screen's code loads it (loadFormValidation, once the form is on screen).
    expect(firstCode).toContain(`import(\`./${checks[0]}\`)`);
  });
});
