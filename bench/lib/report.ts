import type { PostgresServer } from './postgres.ts';

/** One line of the table: a figure, its floor measured in the same run, their ratio, the target. */
export interface Row {
  benchmark: string;
  figure: string;
  value: string;
  floor: string;
  ratio: string;
  target: string;
  /** Whether the figure meets its target (`undefined` when it has none). */
  met?: boolean;
}

export interface BenchContext {
  postgres: PostgresServer;
  /** A temp folder of this run (removed at the end). */
  tmpDir: string;
  /** Progress, on stderr (the table goes to stdout). */
  log(message: string): void;
  /** Where to write the api's CPU profile of a measured run (BENCH_CPU_PROF=1), else undefined. */
  profileFile(name: string): string | undefined;
}

/** A benchmark: later parts of the issue (bot mirroring, 1C loop, Mini App weight) are more of these. */
export interface BenchModule {
  name: string;
  title: string;
  /** Left out of a full run: runs only when BENCH_ONLY names it. */
  onlyWhenNamed?: boolean;
  run(ctx: BenchContext): Promise<Row[]>;
}

export const fmt = {
  /** 3 significant digits, no exponent (1234 → "1234", 12.345 → "12.3", 0.01234 → "0.0123"). */
  num(value: number): string {
    if (!Number.isFinite(value)) return 'n/a';
    const abs = Math.abs(value);
    if (abs >= 100) return Math.round(value).toString();
    return Number(value.toPrecision(3)).toString();
  },
  ratio(value: number): string {
    return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
  },
  mb(bytes: number): string {
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  },
};

/** Ratio row: `value / floor`, checked against `max` (or `min`) when a target is given. */
export function compared(
  base: { benchmark: string; figure: string },
  value: number,
  floor: number,
  target?: { max?: number; min?: number; label?: string },
  unit = '',
): Row {
  const ratio = value / floor;
  let met: boolean | undefined;
  if (target?.max !== undefined) met = ratio <= target.max;
  if (target?.min !== undefined) met = ratio >= target.min;
  return {
    ...base,
    value: fmt.num(value) + unit,
    floor: fmt.num(floor) + unit,
    ratio: fmt.ratio(ratio),
    target:
      target?.label ??
      (target?.max !== undefined
        ? `≤ ${target.max}×`
        : target?.min !== undefined
          ? `≥ ${target.min}×`
          : '—'),
    met,
  };
}

const columns: { key: keyof Row; title: string }[] = [
  { key: 'benchmark', title: 'benchmark' },
  { key: 'figure', title: 'figure' },
  { key: 'value', title: 'value' },
  { key: 'floor', title: 'floor' },
  { key: 'ratio', title: 'ratio' },
  { key: 'target', title: 'target' },
];

function cell(row: Row, key: keyof Row): string {
  if (key !== 'target') return String(row[key] ?? '');
  if (row.met === undefined) return row.target;
  return `${row.target} ${row.met ? 'met' : 'MISSED'}`;
}

/** A Markdown table (readable as plain text too). */
export function table(rows: Row[]): string {
  const widths = columns.map(({ key, title }) =>
    Math.max(title.length, ...rows.map((row) => cell(row, key).length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((text, index) => text.padEnd(widths[index]!)).join(' | ')} |`;
  return [
    line(columns.map((column) => column.title)),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map((row) => line(columns.map(({ key }) => cell(row, key)))),
  ].join('\n');
}
