#!/usr/bin/env -S npx tsx
import { runCli } from './cli-core';
import { loadCliEnv } from './env';

process.exitCode = await runCli(process.argv.slice(2), loadCliEnv(), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
