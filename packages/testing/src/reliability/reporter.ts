import { writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Reporter } from 'vitest/reporters';

import { clearFigures, figuresDir, figuresTable, readFigures } from './figures';

/**
 * Prints the reliability figures as a table once every test file has run, and leaves it in
 * `test-results/reliability/table.md`. The table holds every suite's latest figures (the api's
 * and the bot's), so the suite that runs last prints the whole picture.
 */
export default class ReliabilityReporter implements Reporter {
  constructor(private readonly options: { suite: string }) {}

  onInit(): void {
    clearFigures(this.options.suite);
  }

  onTestRunEnd(): void {
    const figures = readFigures();
    if (figures.length === 0) return;
    const table = figuresTable(figures);
    writeFileSync(path.join(figuresDir, 'table.md'), `${table}\n`);
    const failed = figures.filter((f) => !f.pass).length;
    process.stdout.write(
      `\nReliability figures (${figures.length}, ${failed} missing the target):\n\n${table}\n\n`,
    );
  }
}
