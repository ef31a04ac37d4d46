/**
 * Issue 15, secrets: what `${…}` references cost, and how fast a rotated secret arrives.
 * 1. Resolution on a 1,000-module config with 100 references (each module 0, 10, 20, … takes its
 *    password from its own file in a secrets directory): `resolveReferences` alone on the parsed
 *    config; `FileSource.load()` and `hash()` on unchanged text (the parse is reused: this is the
 *    whole cost of a check or a load after a rotation), each against the same source without
 *    references.
 * 2. Rotation → onChange: a `ConfigWatcher` on that config; each round swaps a Kubernetes-style
 *    Secret volume (new `..<n>` folder, `..data` renamed over) holding one of the referenced files,
 *    and times the swap until `onChange` carries the new value. Debounce 0 and 100 ms (the default).
 * Run: pnpm --filter @cfg/bench bench:references [--quick]   (imports the BUILT @cfg/source and @cfg/watcher)
 */
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppConfig, FileSource, hashBytes, parseConfig, resolveReferences } from '@cfg/source';
import { ConfigWatcher } from '@cfg/watcher';
import { dump } from 'js-yaml';
import { isQuick } from './lib/args.js';
import { type Figure, ratio, timing, value } from './lib/figures.js';
import { makeConfig } from './lib/fixtures.js';
import { publish } from './lib/results.js';
import { measureAsync, summarize } from './lib/stats.js';

const quick = isQuick();
const MODULES = 1000;
const REFERENCES = 100;
const RUNS = quick ? 20 : 200;
const ROTATIONS = quick ? 10 : 100;
/**
 * Between rotations: past the watcher's confirm re-hash (60 ms after each check), which would
 * otherwise catch a swap before its debounce ends; real rotations are minutes apart.
 */
const GAP_MS = 200;

const root = await mkdtemp(join(tmpdir(), 'cfg-bench-references-'));
const secrets = join(root, 'secrets');
const volume = join(root, 'volume');
await mkdir(secrets);

/** Module i (every tenth) takes its password from `secrets/pw-i`; module 0's from the volume. */
function configWithReferences(): AppConfig {
  const config = makeConfig(MODULES);
  config.modules.forEach((module, i) => {
    if (i % (MODULES / REFERENCES) !== 0) return;
    const file = i === 0 ? join(volume, 'password') : join(secrets, `pw-${i}`);
    module.config = { ...module.config, password: `\${file:${file}}` };
  });
  return config;
}

let generation = 0;
/** What kubelet does to a Secret volume: a new folder, a temp link, renamed over `..data`. */
async function swapVolume(password: string): Promise<void> {
  generation++;
  const folder = `..gen_${generation}`;
  await mkdir(join(volume, folder), { recursive: true });
  await writeFile(join(volume, folder, 'password'), password);
  await symlink(folder, join(volume, '..data_tmp'));
  await rename(join(volume, '..data_tmp'), join(volume, '..data'));
  if (generation > 1) await rm(join(volume, `..gen_${generation - 1}`), { recursive: true });
}

for (let i = MODULES / REFERENCES; i < MODULES; i += MODULES / REFERENCES) {
  await writeFile(join(secrets, `pw-${i}`), `secret-${i}\n`);
}
await mkdir(volume);
await swapVolume('v0');
await symlink(join('..data', 'password'), join(volume, 'password'));

const text = dump(configWithReferences());
const plainText = dump(makeConfig(MODULES));
const file = join(root, 'config.yaml');
const plainFile = join(root, 'plain.yaml');
await writeFile(file, text);
await writeFile(plainFile, plainText);
const references = { fileDirs: [secrets, volume] };
const figures: Figure[] = [];

// 1. Resolution cost.
const parsed = parseConfig(text, { filename: file });
const resolveStats = await measureAsync(
  async () => {
    const resolved = await resolveReferences(parsed, {
      ...references,
      textHash: hashBytes(text),
      filename: file,
    });
    if (resolved.secretPaths.length !== REFERENCES)
      throw new Error(`resolved ${resolved.secretPaths.length}`);
  },
  { runs: RUNS },
);
figures.push(timing(`resolveReferences, ${MODULES} modules, ${REFERENCES} file references`, resolveStats));
// The same with environment variables: no file I/O, so what is left is the walk, the copy and the HMAC.
const envText = text.replace(/\$\{file:[^}]*pw-(\d+)\}/g, '$${env:PW_$1}');
const envParsed = parseConfig(envText, { filename: file });
const environment = Object.fromEntries(
  Array.from({ length: REFERENCES }, (_, i) => [`PW_${i * (MODULES / REFERENCES)}`, `secret-${i}`]),
);
const envStats = await measureAsync(
  async () => {
    const resolved = await resolveReferences(envParsed, {
      ...references,
      environment,
      textHash: hashBytes(envText),
      filename: file,
    });
    if (resolved.secretPaths.length !== REFERENCES)
      throw new Error(`resolved ${resolved.secretPaths.length}`);
  },
  { runs: RUNS },
);
figures.push(
  timing(`resolveReferences, ${MODULES} modules, ${REFERENCES - 1} env + 1 file references`, envStats, {
    note: 'mostly CPU: find, copy, HMAC',
  }),
);

const withRefs = new FileSource(file, { references });
const plain = new FileSource(plainFile, { references });
await withRefs.load();
await plain.load();
const loadRefs = await measureAsync(() => withRefs.load(), { runs: RUNS });
const loadPlain = await measureAsync(() => plain.load(), { runs: RUNS });
const hashRefs = await measureAsync(() => withRefs.hash(), { runs: RUNS });
const hashPlain = await measureAsync(() => plain.hash(), { runs: RUNS });
figures.push(
  timing('FileSource.load(), unchanged text, with the 100 references', loadRefs, {
    note: 'parse reused; read + hash + resolve',
  }),
  timing('FileSource.load(), unchanged text, same size without references', loadPlain),
  ratio(
    'load(): references / none',
    loadRefs.median,
    loadPlain.median,
    'median load with references over without',
  ),
  timing('FileSource.hash(), with the 100 references', hashRefs, {
    note: 'config read + 100 files read + HMAC',
  }),
  timing('FileSource.hash(), without references', hashPlain),
);

// 2. Rotation → onChange.
for (const debounceMs of [0, 100]) {
  const source = new FileSource(file, { references });
  let waiting: { password: string; resolve: () => void } | undefined;
  const watcher = new ConfigWatcher(
    source,
    (event) => {
      const password = event.snapshot.config.modules[0]?.config?.password;
      if (waiting && password === waiting.password) waiting.resolve();
    },
    { debounceMs },
  );
  await source.load();
  await watcher.start();
  const latencies: number[] = [];
  let lost = 0;
  for (let round = 0; round < ROTATIONS; round++) {
    const password = `rotated-${debounceMs}-${round}`;
    const arrived = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5_000);
      waiting = {
        password,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
    });
    const start = performance.now();
    await swapVolume(password);
    if (await arrived) latencies.push(performance.now() - start);
    else lost++;
    await new Promise((resolve) => setTimeout(resolve, GAP_MS));
  }
  await watcher.stop();
  figures.push(
    timing(`..data swap → onChange, debounce ${debounceMs} ms`, summarize(latencies), {
      note: `${MODULES} modules, ${REFERENCES} references; no re-parse (same text)`,
    }),
    value(`rotations not delivered within 5 s, debounce ${debounceMs} ms`, lost, `of ${ROTATIONS}`),
  );
}

await rm(root, { recursive: true, force: true });
publish({
  name: 'references',
  title: `Secrets: resolving ${REFERENCES} references in a ${MODULES}-module config, and rotation → onChange`,
  about:
    'Each referenced file holds a short password. load()/hash() are timed on unchanged text, so the parse is reused and what is left is read + hash + resolve. Rotation rounds swap a Kubernetes-style Secret volume 200 ms after the previous delivery and wait for the new value in onChange.',
  quick,
  figures,
});
