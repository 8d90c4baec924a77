import { writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Reporter } from 'vitest/reporters';

import { clearFigures, figuresDir, figuresTable, readFigures } from './figures';

/** Prints the reliability figures as a table once every test file has run. */
export default class ReliabilityReporter implements Reporter {
  onInit(): void {
    clearFigures();
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
