/**
 * api-compare (only when asked for, `--only=api-compare --compare-with=<checkout>`): the api of
 * this checkout against the api of another one (e.g. a `git worktree` of main), same procedures
 * and clients as mini-app-load, in alternating runs (A B B A …) on one database.
 *
 * Why: the machine's speed drifts by ±20 % between runs minutes apart, more than most changes
 * to the api move its figures; runs of the two versions interleaved see the same drift.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { startChild } from '../lib/child.ts';
import { config } from '../lib/config.ts';
import { runLoad } from '../lib/load.ts';
import { compared } from '../lib/report.ts';
import type { BenchContext, BenchModule, Row } from '../lib/report.ts';
import { inFreshWorld } from '../lib/world.ts';
import { makeProcedures, openLoadRooms, quiesce } from './mini-app-load.ts';

interface RunFigures {
  p50: number;
  requestsPerSecond: number;
  cpuMsPerCall: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const apiCompare: BenchModule = {
  name: 'api-compare',
  title: 'This api against another checkout’s',
  onlyWhenNamed: true,
  async run(ctx: BenchContext): Promise<Row[]> {
    if (!config.compareWith) throw new Error('api-compare needs BENCH_COMPARE_WITH (a checkout)');
    const otherBenchDir = path.resolve(config.compareWith, 'bench');
    if (!existsSync(path.join(otherBenchDir, 'node_modules')))
      throw new Error(`${otherBenchDir} has no node_modules: run pnpm install in that checkout`);

    return inFreshWorld(async ({ url, db, agent, servers }) => {
      const env = { BENCH_DATABASE_URL: url, BENCH_API_LOG_LEVEL: config.apiLogLevel };
      // BENCH_API_NODE_ARGS go to this checkout's api only: flags can be compared on one checkout.
      const thisApi = await startChild('api (this checkout)', 'api-server.ts', env, {
        nodeArgs: config.apiNodeArgs,
      });
      servers.push(thisApi);
      const otherApi = await startChild('api (other checkout)', 'api-server.ts', env, {
        fromBenchDir: otherBenchDir,
      });
      servers.push(otherApi);

      ctx.log(`opening ${config.connections} deal rooms through the api`);
      const rooms = await openLoadRooms(thisApi.url, agent, db);

      const rows: Row[] = [];
      for (const procedure of makeProcedures()) {
        const runs = { this: [] as RunFigures[], other: [] as RunFigures[] };
        const sides = { this: thisApi, other: otherApi };
        for (const side of ['this', 'other'] as const) {
          await procedure.prepare(db);
          await runLoad(sides[side].url, procedure.clients(rooms), config.warmupSeconds);
          await quiesce(db);
        }
        for (let round = 0; round < config.compareRounds; round += 1) {
          const order =
            round % 2 === 0 ? (['this', 'other'] as const) : (['other', 'this'] as const);
          for (const side of order) {
            await procedure.prepare(db);
            const server = sides[side];
            const before = await server.ask<NodeJS.CpuUsage>({ type: 'cpu' });
            const load = await runLoad(
              server.url,
              procedure.clients(rooms),
              config.durationSeconds,
            );
            const after = await server.ask<NodeJS.CpuUsage>({ type: 'cpu' });
            const cpuMs = (after.user - before.user + after.system - before.system) / 1000;
            runs[side].push({
              p50: load.p50,
              requestsPerSecond: load.requestsPerSecond,
              cpuMsPerCall: cpuMs / Math.max(1, load.ok + load.non2xx),
            });
            ctx.log(
              `${procedure.name} round ${round + 1} ${side}: p50 ${load.p50.toFixed(1)} ms, ` +
                `${(cpuMs / Math.max(1, load.ok + load.non2xx)).toFixed(3)} ms CPU/call` +
                (load.errors + load.non2xx ? `, ${load.errors + load.non2xx} failed` : ''),
            );
            await quiesce(db);
          }
        }
        const benchmark = `api-compare: ${procedure.name} (median of ${config.compareRounds})`;
        const figure = (name: keyof RunFigures) =>
          [
            median(runs.this.map((run) => run[name])),
            median(runs.other.map((run) => run[name])),
          ] as const;
        rows.push(
          compared({ benchmark, figure: 'latency p50, ms (floor: other)' }, ...figure('p50')),
          compared(
            { benchmark, figure: 'throughput, req/s (floor: other)' },
            ...figure('requestsPerSecond'),
          ),
          compared(
            { benchmark, figure: 'server CPU per call, ms (floor: other)' },
            ...figure('cpuMsPerCall'),
          ),
        );
      }
      return rows;
    });
  },
};
