/**
 * Deeply nested text must end as a clean `ConfigParseError`, and the process must survive it. The
 * parse runs in a child process (on the built package) because the failure this guards against is
 * fatal: after one stack overflow inside `yaml`, a second, deeper one aborted Node with
 * "FATAL ERROR: RegExpCompiler Allocation failed - process out of memory" (yaml 2.9.1, Node 20).
 * A service that parses what it is sent must not die because it was sent that twice.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DIST = new URL('../dist/index.js', import.meta.url);

/** Parses each text in order in a fresh Node process; returns one outcome line per text, or the crash. */
function parseInChild(texts: string[]): { status: number | null; stdout: string; stderr: string } {
  const script = `
    import { parseConfig, ConfigParseError } from ${JSON.stringify(DIST.href)};
    const texts = JSON.parse(process.env.TEXTS);
    for (const text of texts) {
      try { parseConfig(text, { filename: 'deep.yaml' }); console.log('config'); }
      catch (e) { console.log(e instanceof ConfigParseError ? 'ConfigParseError' : 'other: ' + e); }
    }`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, TEXTS: JSON.stringify(texts) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

const nested = {
  'JSON arrays as modules': (depth: number) => `{"modules": ${'['.repeat(depth)}${']'.repeat(depth)}}`,
  'YAML flow sequences': (depth: number) => `modules: []\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`,
  'YAML flow mappings, unclosed': (depth: number) => `modules: []\nx: ${'{a: '.repeat(depth)}\n`,
  // Block style nests on one line too: each `- ` opens a sequence inside the one before.
  'YAML block sequences, compact': (depth: number) => `modules: []\nx:\n${'- '.repeat(depth)}x\n`,
};

describe('deeply nested input', () => {
  it('needs the built package (turbo runs build before test)', () => {
    expect(existsSync(DIST), 'run `pnpm build` in packages/source first').toBe(true);
  });

  for (const [shape, text] of Object.entries(nested)) {
    it(`${shape}, 1,000 then 10,000 levels: clean ConfigParseErrors, the process survives`, () => {
      const { status, stdout, stderr } = parseInChild([text(1_000), text(10_000)]);
      expect(stderr.match(/FATAL ERROR[^\n]*/)?.[0], 'the child process died').toBeUndefined();
      expect(status).toBe(0);
      expect(stdout.trim().split('\n')).toEqual(['ConfigParseError', 'ConfigParseError']);
    });
  }
});
