/** `--quick`: fewer sizes and runs, for CI smoke (it proves the bench runs, not how fast). */
export function isQuick(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes('--quick');
}

/**
 * `--only a,b`: run just these benches; the others keep the results they already have in
 * bench/results (each must exist and match --quick), so docs/BENCHMARKS.md can be regenerated after
 * re-running one bench. Undefined: run every bench.
 */
export function onlyBenches(argv: readonly string[] = process.argv.slice(2)): Set<string> | undefined {
  const at = argv.indexOf('--only');
  if (at < 0) return undefined;
  const list = argv[at + 1];
  if (!list || list.startsWith('--')) throw new Error('--only needs a comma-separated list of bench names');
  return new Set(
    list
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
}
