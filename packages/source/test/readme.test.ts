import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const README = new URL('../README.md', import.meta.url);

/** The first ```js block after `heading`, run as written in an `.mjs` file of this package (it imports the build). */
async function runExample(heading: string): Promise<string> {
  const text = await readFile(README, 'utf8');
  const block = /```js\n([\s\S]*?)```/.exec(text.slice(text.indexOf(heading)))?.[1];
  if (!block) throw new Error(`no js block after ${heading}`);
  const file = new URL(`./readme-example-${process.pid}.mjs`, import.meta.url);
  await writeFile(file, block);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file.pathname], { timeout: 20_000 });
    return stdout;
  } finally {
    await rm(file, { force: true });
  }
}

describe('README examples', () => {
  it('Editing a config text: prints what its comments say', async () => {
    const out = await runExample('## Editing a config text');
    expect(out).toContain(
      '# the API\nmodules:\n  - name: api # public\n    type: http\n    config:\n      port: 9090\n      debug: true\n',
    );
    expect(out).toContain('{ port: 9090, debug: true }');
    expect(out).toContain('{ line: 7, column: 14 }');
  });
});
