/** `--quick`: fewer sizes and runs, for CI smoke (it proves the bench runs, not how fast). */
export function isQuick(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes('--quick');
}
