import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type * as SchemaEngineWasm from '@prisma/schema-engine-wasm';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

/**
 * Loads `@prisma/schema-engine-wasm` the way Prisma 6's CLI did. The wasm-bindgen glue keeps the
 * instance in module state, so it is instantiated once per process and shared by every engine.
 */
type Glue = typeof SchemaEngineWasm & {
  __wbg_set_wasm(exports: WasmExports): void;
};

// The tsconfig has no DOM lib and @types/node 20 does not declare WebAssembly: the little we use.
type WasmExports = Record<string, unknown>;
type WasmImports = Record<string, unknown>;
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(
    module: object,
    imports: Record<string, WasmImports>,
  ): Promise<{ exports: WasmExports }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Kept on globalThis, not in this module: test runners re-evaluate modules per test file while Node
 * keeps the (external) glue module cached, and the glue caches views of the wasm memory, so a second
 * instance set into the same glue would be read through the first one's memory.
 */
const GLUE = Symbol.for('@payreq/db schema-engine-wasm');
const store = globalThis as { [GLUE]?: Promise<Glue> };

function loadGlue(): Promise<Glue> {
  store[GLUE] ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmBytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as Glue;
    const module = await wasmApi.compile(wasmBytes);
    const imports: WasmImports = { ...(glue as unknown as WasmImports) };
    for (const name of Object.keys(imports)) {
      // The engine arms timers (lock timeouts) it never clears: 10 s of a process that will not exit.
      // Unref them; they still fire while anything else keeps the process running.
      if (name.startsWith('__wbg_setTimeout_')) {
        imports[name] = (callback: () => void, ms: number) => {
          const timer = setTimeout(callback, ms >>> 0);
          timer.unref();
          return timer;
        };
      }
    }
    const instance = await wasmApi.instantiate(module, { './schema_engine_bg.js': imports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return glue;
  })();
  const promise = store[GLUE];
  promise.catch(() => {
    if (store[GLUE] === promise) delete store[GLUE];
  });
  return promise;
}

export interface SchemaFile {
  path: string;
  content: string;
}

export type EngineLog = (line: string) => void;

/**
 * Runs `fn` with a schema engine bound to `factory`, and frees the engine afterwards whatever happens.
 */
export async function withSchemaEngine<T>(
  schema: SchemaFile,
  factory: SqlMigrationAwareDriverAdapterFactory,
  fn: (engine: SchemaEngine) => Promise<T>,
  log?: EngineLog,
): Promise<T> {
  const glue = await loadGlue();
  const engine = await glue.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    (line: string) => log?.(line),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  try {
    return await fn(engine);
  } catch (error) {
    throw asError(error);
  } finally {
    engine.free();
  }
}

/** The engine rejects with plain objects (`{ message, error_code, meta }`) or strings: make them Errors. */
function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null) {
    const e = error as { message?: unknown; error_code?: unknown; errorCode?: unknown };
    const code = e.error_code ?? e.errorCode;
    const message = typeof e.message === 'string' ? e.message : JSON.stringify(error);
    return Object.assign(new Error(code ? `${String(code)}: ${message}` : message), {
      cause: error,
    });
  }
  return new Error(String(error));
}
