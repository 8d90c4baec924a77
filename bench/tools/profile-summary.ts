/**
 * Where the time goes in a V8 CPU profile (`--cpu-prof`, e.g. from BENCH_CPU_PROF=1):
 * self time by package (node_modules/<package>, the workspace's own folders, Node internals,
 * GC, idle) and the top functions. Usage: tsx tools/profile-summary.ts <file.cpuprofile> [top]
 * [--callers <function name>] (also: the call stacks that lead to that function, by time).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const callersIndex = args.indexOf('--callers');
const callersOf = callersIndex >= 0 ? args.splice(callersIndex, 2)[1] : undefined;
const [file, topArg] = args;
if (!file) {
  console.error('usage: tsx tools/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));

const selfMicros = new Map<number, number>();
for (let index = 0; index < profile.samples.length; index += 1) {
  const id = profile.samples[index]!;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
}

function area(url: string, name: string): string {
  if (name === '(garbage collector)') return '(gc)';
  if (name === '(idle)' || name === '(program)' || name === '(root)') return name;
  if (!url) return '(native/V8)';
  const modules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return 'node:internal';
  const workspace =
    /\/work\/[^/]+\/((?:apps|packages|bench)\/[^/]+)/.exec(url) ??
    /((?:apps|packages|bench)\/[^/]+)\//.exec(url);
  if (workspace) return workspace[1]!;
  return url.replace(/^file:\/\//, '');
}

const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);
const areas = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = area(url, functionName);
  areas.set(where, (areas.get(where) ?? 0) + micros);
  const key = `${functionName || '(anonymous)'}  ${where}${url ? `:${lineNumber + 1}` : ''}`;
  functions.set(key, (functions.get(key) ?? 0) + micros);
}
const busy = total - (areas.get('(idle)') ?? 0);
const pct = (micros: number, of: number) => `${((100 * micros) / of).toFixed(1).padStart(5)}%`;
const ms = (micros: number) => `${(micros / 1000).toFixed(0).padStart(7)} ms`;

console.log(
  `${file}\nwall ${ms(profile.endTime - profile.startTime)}, sampled ${ms(total)}, busy (not idle) ${ms(busy)}\n`,
);
console.log('self time by area (share of busy time):');
for (const [name, micros] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, top))
  if (name !== '(idle)') console.log(`  ${ms(micros)} ${pct(micros, busy)}  ${name}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [name, micros] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${ms(micros)} ${pct(micros, busy)}  ${name}`);

if (callersOf) {
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const stacks = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    if (byId.get(id)!.callFrame.functionName !== callersOf) continue;
    const frames: string[] = [];
    for (let at = parent.get(id); at !== undefined && frames.length < 8; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      if (functionName === '(root)') break;
      frames.push(`${functionName || '(anonymous)'} ${area(url, functionName)}:${lineNumber + 1}`);
    }
    const key = frames.join(' < ');
    stacks.set(key, (stacks.get(key) ?? 0) + micros);
  }
  console.log(`\ncallers of ${callersOf}:`);
  for (const [stack, micros] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 8))
    console.log(`  ${ms(micros)} ${pct(micros, busy)}  ${stack}`);
}
