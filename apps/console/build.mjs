/**
 * Builds the console into dist/: the script and the style sheet bundled and minified by esbuild, with
 * a content hash in their names (served as immutable), and index.html pointing at them (served as
 * no-cache). No inline script or style anywhere, so the server's Content-Security-Policy can forbid
 * both. dist/manifest.json lists the files and their sizes.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const dist = new URL('./dist/', import.meta.url);
rmSync(dist, { recursive: true, force: true });

const result = await build({
  entryPoints: { console: 'src/main.ts', style: 'static/console.css' },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  target: ['es2022', 'chrome111', 'firefox111', 'safari16'],
  outdir: 'dist/assets',
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const script = outputs.find((f) => f.endsWith('.js'));
const style = outputs.find((f) => f.endsWith('.css'));
if (!script || !style) throw new Error(`esbuild wrote ${outputs.join(', ')}: expected one .js and one .css`);

const html = readFileSync(new URL('./static/index.html', import.meta.url), 'utf8')
  .replace('%SCRIPT%', `/console/assets/${script}`)
  .replace('%STYLE%', `/console/assets/${style}`);
writeFileSync(new URL('./index.html', dist), html);

const files = ['index.html', `assets/${script}`, `assets/${style}`].map((file) => {
  const bytes = readFileSync(new URL(file, dist));
  return { file, bytes: bytes.length, gzip: gzipSync(bytes).length };
});
writeFileSync(new URL('./manifest.json', dist), `${JSON.stringify({ files }, null, 2)}\n`);
const total = files.reduce((sum, f) => sum + f.gzip, 0);
console.log(`console: ${files.map((f) => `${f.file} ${f.bytes} B`).join(', ')} (${total} B gzipped)`);
