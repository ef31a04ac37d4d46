import { describe, expect, it } from 'vitest';
import { normalizeArgv } from '../../src/cli/argv.js';

describe('normalizeArgv', () => {
  it('drops the `--` pnpm passes through after serve (pnpm start -- --port 8082)', () => {
    expect(normalizeArgv(['node', 'cli.js', 'serve', '--watch', '--', '--port', '8082'])).toEqual([
      'node',
      'cli.js',
      'serve',
      '--watch',
      '--port',
      '8082',
    ]);
  });

  it('keeps `--` for commands that take operands', () => {
    const argv = ['node', 'cli.js', 'validate', '--', '-odd.yaml'];
    expect(normalizeArgv(argv)).toEqual(argv);
  });
});
