import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { FIGURE_KINDS, type Figure } from './figures.js';
import { type Machine, machineInfo } from './machine.js';
import { figureRows, formatTable } from './table.js';

/** What every bench writes to `bench/results/<name>.json`; `run.ts` turns these into docs/BENCHMARKS.md. */
export interface BenchResults {
  name: string;
  /** One line: what the bench answers. */
  title: string;
  /** How it measures (inputs, what is timed, what is excluded). */
  about: string;
  date: string;
  machine: Machine;
  node: string;
  quick: boolean;
  figures: Figure[];
}

export const RESULTS_DIR = new URL('../results/', import.meta.url);

export function resultsFile(name: string): URL {
  return new URL(`${name}.json`, RESULTS_DIR);
}

/** Prints the figures as a table and writes `bench/results/<name>.json`. */
export function publish(results: Pick<BenchResults, 'name' | 'title' | 'about' | 'quick' | 'figures'>): void {
  const full: BenchResults = {
    ...results,
    date: new Date().toISOString(),
    machine: machineInfo(),
    node: process.version,
  };
  console.log(`\n${full.title}${full.quick ? ' (quick)' : ''}\n`);
  console.log(formatTable(figureRows(full.figures)));
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(resultsFile(full.name), `${JSON.stringify(full, null, 2)}\n`);
}

/** Reads and checks a results file; throws an Error saying what is wrong with it. */
export function readResults(file: URL): BenchResults {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchResults> | null;
  const problems = [
    typeof data?.name !== 'string' && '`name` is not a string',
    typeof data?.title !== 'string' && '`title` is not a string',
    typeof data?.date !== 'string' && '`date` is not a string',
    typeof data?.machine?.cpus !== 'number' && '`machine.cpus` is not a number',
    typeof data?.quick !== 'boolean' && '`quick` is not a boolean',
    !Array.isArray(data?.figures) && '`figures` is not a list',
    Array.isArray(data?.figures) &&
      data.figures.some((f) => !FIGURE_KINDS.includes(f?.kind) || typeof f.name !== 'string') &&
      'a figure has no known `kind` or no `name`',
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) {
    throw new Error(`not in the bench/lib results format (write it with publish()): ${problems.join('; ')}`);
  }
  return data as BenchResults;
}
