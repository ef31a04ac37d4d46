/**
 * `pnpm start -- --port 8082` runs `cfg serve … -- --port 8082`: pnpm passes its `--` through. `serve`
 * takes no operands, so a `--` after it can only be that separator; it is dropped, and the options
 * after it count, exactly as `pnpm start --port 8082` would. Other commands keep `--` (end of
 * options, e.g. `cfg validate -- -odd-name.yaml`).
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const [node = '', script = '', command, ...rest] = argv;
  if (command !== 'serve') return [...argv];
  return [node, script, command, ...rest.filter((arg) => arg !== '--')];
}
