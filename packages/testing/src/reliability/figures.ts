import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where each test file leaves its figures: one folder at the repository root, shared by the
 * api's and the bot's reliability suites; `pnpm test:reliability` prints them as one table.
 */
export const figuresDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../test-results/reliability',
);

export interface Figure {
  /** Which suite measured it (`api`, `bot`): each run replaces only its own suite's figures. */
  suite: string;
  /** Which database the figure was measured on. */
  db: string;
  name: string;
  tried: number;
  /** What "refused/ok" means for this figure, e.g. "refused 10000" or "5xx 0". */
  outcome: string;
  rowsWritten: number;
  target: string;
  pass: boolean;
  note?: string;
}

const suiteOf = () => process.env.RELIABILITY_SUITE ?? 'api';

/** Records one figure (a file per figure, so parallel test files never race). */
export function recordFigure(figure: Omit<Figure, 'db' | 'suite'>): Figure {
  const full: Figure = { suite: suiteOf(), db: process.env.TEST_DB ?? 'pglite', ...figure };
  mkdirSync(figuresDir, { recursive: true });
  const slug = `${full.suite}--${full.db}--${full.name}`.replace(/[^a-zA-Z0-9-]+/g, '_');
  writeFileSync(path.join(figuresDir, `${slug}.json`), JSON.stringify(full));
  return full;
}

/** Removes the figures of one suite (the other suite's stay, for the combined table). */
export function clearFigures(suite = suiteOf()): void {
  let names: string[];
  try {
    names = readdirSync(figuresDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(`${suite}--`)) rmSync(path.join(figuresDir, name), { force: true });
  }
}

export function readFigures(): Figure[] {
  let names: string[];
  try {
    names = readdirSync(figuresDir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .map((name) => JSON.parse(readFileSync(path.join(figuresDir, name), 'utf8')) as Figure)
    .sort(
      (a, b) =>
        a.suite.localeCompare(b.suite) || a.db.localeCompare(b.db) || a.name.localeCompare(b.name),
    );
}

/** The figures as a Markdown table (what the README's "Reliability" section shows). */
export function figuresTable(figures: Figure[]): string {
  const header = '| suite | db | figure | tried | refused/ok | rows written | target | status |';
  const rule = '| --- | --- | --- | --- | --- | --- | --- | --- |';
  const rows = figures.map(
    (f) =>
      `| ${f.suite} | ${f.db} | ${f.name} | ${f.tried} | ${f.outcome} | ${f.rowsWritten} | ${f.target} | ${
        f.pass ? 'pass' : `FAIL${f.note ? `: ${f.note}` : ''}`
      } |`,
  );
  return [header, rule, ...rows].join('\n');
}
