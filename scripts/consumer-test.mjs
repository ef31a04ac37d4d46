#!/usr/bin/env node
// The "pick a package" test: every publishable package, packed as it would be published and installed
// with npm into fresh projects OUTSIDE this workspace, must import, require, type-check and run its
// README's first example on its own. Usage: `node scripts/consumer-test.mjs` after `pnpm build`.
// Reads the npm registry for third-party dependencies (yaml, chokidar, pg, typescript, …); publishes nothing.
// PostgreSQL for the pg-store example: DATABASE_URL (a throw-away database is created in it), else an
// embedded server from @cfg/pg-store/testing.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Bounds: one npm install, one example, one tsc run. The whole test takes well under 5 minutes. */
const INSTALL_TIMEOUT_MS = 240_000;
const STEP_TIMEOUT_MS = 60_000;
const REQUIRED_FIELDS = ['repository', 'homepage', 'bugs', 'keywords', 'license'];
/** The Node versions that load ES modules through require() by default: what `engines` may promise. */
const REQUIRE_ESM_NODE = '^20.19.0 || ^22.12.0 || >=23.0.0';

// Touches the public types of every package the way an application would.
const CONSUMER_TS = `import { diffConfigs, type ModuleDiff } from '@cfg/diff';
import { type MigrateResult, PgConfigStore } from '@cfg/pg-store';
import { ConfigReloader, type ReloadResult, type ReloadTarget } from '@cfg/reloader';
import { type AppConfig, type ConfigChangeEvent, type ConfigSnapshot, FileSource, hashConfig } from '@cfg/source';
import { MemoryConfigStore } from '@cfg/source/test';
import { ConfigWatcher } from '@cfg/watcher';
import pg from 'pg';

const config: AppConfig = { modules: [{ name: 'api', type: 'http', config: { port: 8080 } }] };
const snapshot: ConfigSnapshot = { config, hash: hashConfig(config), source: 'example', loadedAt: new Date() };
const modules: ModuleDiff = diffConfigs(config, { modules: [] }).modules;
const target: ReloadTarget = { getModule: () => undefined, fullReload: async () => {} };
const reloader = new ConfigReloader({ initial: snapshot, target });
const onChange = async (event: ConfigChangeEvent): Promise<void> => {
  const result: ReloadResult = await reloader.handleChange(event);
  console.log(result.outcome, modules.removed.length);
};
export const watcher = new ConfigWatcher(new FileSource('config.yaml'), onChange);
export const store = new PgConfigStore(new pg.Pool(), { schema: 'app_config' });
export const migrated: Promise<MigrateResult> = store.migrate();
export const memory = new MemoryConfigStore();
`;

// @cfg/diff's public types on their own (no @cfg/source installed beside it).
const DIFF_CONSUMER_TS = `import { type ConfigDiff, diffConfigs, formatConfigDiff, type ModuleChange } from '@cfg/diff';

const diff: ConfigDiff = diffConfigs({ modules: [] }, { modules: [{ name: 'api', type: 'http' }] });
export const lines: string[] = formatConfigDiff(diff);
export const first: ModuleChange | undefined = diff.modules.modified[0];
`;

const failures = [];
const summary = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
};

const workdir = await mkdtemp(join(tmpdir(), 'cfg-consumer-'));
let database;
try {
  const packages = await publishablePackages();
  const tarballs = await pack(packages);

  summary.push('tarballs (packed by pnpm, as `pnpm publish` would):');
  for (const p of packages) {
    const { size, files } = tarballs.get(p.name);
    summary.push(`  ${p.name.padEnd(15)} ${kb(size).padStart(9)}  ${files.length} files`);
    check(files.includes('package/LICENSE'), `${p.name}: no LICENSE in the tarball`);
    check(files.includes('package/README.md'), `${p.name}: no README.md in the tarball`);
  }

  // One project with every package (and a TypeScript to check it with).
  const all = await project('all', [
    ...packages.map((p) => tarballs.get(p.name).file),
    `typescript@${devVersion('typescript')}`,
    `@types/node@${devVersion('@types/node')}`,
  ]);
  for (const p of packages) await checkManifest(all, p);

  database = await openDatabase(all);
  for (const p of packages) await runFirstExample(all, p, database.url);
  await requireEach(all, packages);
  await typeCheck(all, packages);

  // @cfg/watcher alone: only its own dependencies, and no pg anywhere in the tree.
  const watcherOnly = await project(
    'watcher-only',
    ['@cfg/source', '@cfg/watcher'].map((name) => tarballs.get(name).file),
  );
  const tree = await run('npm', ['ls', '--all'], { cwd: watcherOnly });
  summary.push('npm ls --all (a project that installed @cfg/watcher alone):');
  summary.push(
    ...tree.stdout
      .trimEnd()
      .split('\n')
      .map((line) => `  ${line}`),
  );
  const pg = await run('npm', ['ls', 'pg', '--all', '--parseable'], { cwd: watcherOnly, allowFailure: true });
  check(pg.stdout.trim() === '', `@cfg/watcher alone brought in pg:\n${pg.stdout}`);
  summary.push(`  pg in that tree: ${pg.stdout.trim() === '' ? 'no' : 'YES'}`);

  // @cfg/diff alone: it uses @cfg/source's types only, declared in its own .d.ts, so neither
  // @cfg/source nor yaml is installed, and its README example runs and its types check without them.
  const diff = packages.find((p) => p.name === '@cfg/diff');
  const diffOnly = await project('diff-only', [
    tarballs.get('@cfg/diff').file,
    `typescript@${devVersion('typescript')}`,
  ]);
  const sourceInTree = await run('npm', ['ls', '@cfg/source', 'yaml', '--all', '--parseable'], {
    cwd: diffOnly,
    allowFailure: true,
  });
  check(sourceInTree.stdout.trim() === '', `@cfg/diff alone brought in:\n${sourceInTree.stdout}`);
  summary.push(
    `@cfg/diff alone: @cfg/source or yaml in its tree: ${sourceInTree.stdout.trim() === '' ? 'no' : 'YES'}`,
  );
  await runFirstExample(diffOnly, diff, database.url);
  await typeCheck(diffOnly, [diff], DIFF_CONSUMER_TS);
} finally {
  await database?.close();
  await rm(workdir, { recursive: true, force: true });
}

console.log(summary.join('\n'));
if (failures.length > 0) {
  console.error(`\nconsumer test: ${failures.length} failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('\nconsumer test: every package installs, imports, requires and type-checks alone');

/** The workspace packages that get published (`packages/*`, not private). */
async function publishablePackages() {
  const dirs = await readdir(join(ROOT, 'packages'));
  const packages = [];
  for (const dir of dirs.sort()) {
    const manifest = JSON.parse(await readFile(join(ROOT, 'packages', dir, 'package.json'), 'utf8'));
    if (!manifest.private) packages.push({ name: manifest.name, dir: join(ROOT, 'packages', dir), manifest });
  }
  return packages;
}

/** `pnpm pack` each package (it rewrites `workspace:^` to a version range, as publishing does). */
async function pack(packages) {
  const destination = join(workdir, 'tarballs');
  const tarballs = new Map();
  for (const p of packages) {
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', destination], { cwd: p.dir });
    const file = stdout.trim().split('\n').at(-1).trim();
    const listing = await run('tar', ['-tzf', file]);
    tarballs.set(p.name, {
      file,
      size: (await stat(file)).size,
      files: listing.stdout.trim().split('\n'),
    });
  }
  return tarballs;
}

/** A fresh npm project in the temp dir with `specs` installed. */
async function project(name, specs) {
  const dir = join(workdir, name);
  await run('mkdir', ['-p', dir]);
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }, null, 2)}\n`,
  );
  // Tarballs installed together: the @cfg dependencies of one are satisfied by the others, since
  // nothing is on the registry yet. Everything else comes from the registry.
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: dir,
    timeoutMs: INSTALL_TIMEOUT_MS,
  });
  return dir;
}

/** The installed manifest carries what a registry page and a user need; no workspace protocol is left. */
async function checkManifest(dir, p) {
  const installed = JSON.parse(await readFile(join(dir, 'node_modules', p.name, 'package.json'), 'utf8'));
  for (const field of REQUIRED_FIELDS) check(installed[field] !== undefined, `${p.name}: no "${field}"`);
  check(installed.license === 'MIT', `${p.name}: license is ${installed.license}, not MIT`);
  check(
    installed.engines?.node === REQUIRE_ESM_NODE,
    `${p.name}: engines.node is "${installed.engines?.node}", not the versions where require() works (${REQUIRE_ESM_NODE})`,
  );
  for (const [dep, range] of Object.entries(installed.dependencies ?? {})) {
    check(!range.startsWith('workspace:'), `${p.name}: dependency ${dep} is still "${range}"`);
    check(
      /^[\^]/.test(range),
      `${p.name}: dependency ${dep} is pinned ("${range}"); libraries use caret ranges`,
    );
  }
}

/** The README's first code block after the install command, run as written in an `.mjs` file. */
async function runFirstExample(dir, p, databaseUrl) {
  const readme = await readFile(join(p.dir, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```(\w*)\n([\s\S]*?)```/g)].find(([, lang]) => lang !== 'sh');
  if (block?.[1] !== 'js') {
    check(false, `${p.name}: the README's first example is not a \`\`\`js block (${block?.[1] ?? 'none'})`);
    return;
  }
  const file = join(dir, `example-${basename(p.dir)}.mjs`);
  await writeFile(file, block[2]);
  const result = await run('node', [file], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    allowFailure: true,
  });
  check(result.code === 0, `${p.name}: README example exited ${result.code}:\n${result.stderr}`);
  summary.push(`README example of ${p.name}: exit ${result.code}`);
  summary.push(
    ...result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => `  | ${line.slice(0, 150)}`),
  );
}

/** `require()` of every entry point from a `.cjs` file, and the same module objects as `import` gives. */
async function requireEach(dir, packages) {
  const entries = packages.flatMap((p) =>
    Object.keys(p.manifest.exports)
      .filter((sub) => sub !== './package.json')
      .map((sub) => (sub === '.' ? p.name : `${p.name}/${sub.slice(2)}`)),
  );
  const cjs = join(dir, 'require.cjs');
  await writeFile(
    cjs,
    `const results = {};
for (const id of ${JSON.stringify(entries)}) results[id] = Object.keys(require(id)).length;
console.log(JSON.stringify(results));
`,
  );
  const required = await run('node', [cjs], { cwd: dir, allowFailure: true });
  check(required.code === 0, `require() from a .cjs file failed:\n${required.stderr}`);
  if (required.code === 0) {
    const counts = JSON.parse(required.stdout);
    for (const id of entries) check(counts[id] > 0, `require('${id}') gave no exports`);
    summary.push(`require() from .cjs: ${entries.map((id) => `${id} (${counts[id]} exports)`).join(', ')}`);
  }
  // ESM only means one copy: what require() returns is what import returns (no dual-package hazard).
  const same = join(dir, 'same-module.mjs');
  await writeFile(
    same,
    `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
for (const id of ${JSON.stringify(entries)}) {
  if (require(id) !== (await import(id))) throw new Error(id + ': require() and import gave different modules');
}
`,
  );
  const identical = await run('node', [same], { cwd: dir, allowFailure: true });
  check(identical.code === 0, `require() and import differ:\n${identical.stderr}`);
}

/** A strict TypeScript consumer, checked with moduleResolution nodenext and bundler, lib checks on. */
async function typeCheck(dir, packages, source = CONSUMER_TS) {
  await writeFile(join(dir, 'consumer.ts'), source);
  const compilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: 'ES2022',
    lib: ['ES2023'],
    types: source === CONSUMER_TS ? ['node'] : [],
  };
  const variants = {
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
    bundler: { module: 'esnext', moduleResolution: 'bundler' },
  };
  const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [name, resolution] of Object.entries(variants)) {
    const config = join(dir, `tsconfig.${name}.json`);
    await writeFile(
      config,
      JSON.stringify({ compilerOptions: { ...compilerOptions, ...resolution }, files: ['consumer.ts'] }),
    );
    const result = await run('node', [tsc, '-p', config], { cwd: dir, allowFailure: true });
    check(result.code === 0, `tsc (${name}) failed:\n${result.stdout}${result.stderr}`);
    summary.push(
      `tsc --strict, moduleResolution ${name} (${basename(dir)}): ${result.code === 0 ? 'ok' : 'FAILED'}`,
    );
  }
  const imported = packages.filter((p) => source.includes(`from '${p.name}'`)).length;
  check(imported === packages.length, `consumer.ts imports ${imported} of ${packages.length} packages`);
}

/** A database for the pg-store example: a throw-away one in DATABASE_URL's server, or an embedded server. */
async function openDatabase(dir) {
  let server;
  let url = process.env.DATABASE_URL;
  if (!url) {
    const testing = await import(join(ROOT, 'packages/pg-store/dist/testing.js'));
    server = await testing.startEmbeddedPostgres();
    url = server.url;
  }
  const { Client } = createRequire(join(dir, 'package.json'))('pg');
  const name = `cfg_consumer_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.end();
      await server?.stop();
    },
  };
}

function devVersion(name) {
  const root = createRequire(import.meta.url)(join(ROOT, 'package.json'));
  return root.devDependencies[name];
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Runs a command with a time bound; rejects on a non-zero exit unless `allowFailure`. */
function run(
  command,
  args,
  { cwd = ROOT, env = process.env, timeoutMs = STEP_TIMEOUT_MS, allowFailure } = {},
) {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      { cwd, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (error?.killed) stderr += `\n(killed after ${timeoutMs} ms)`;
        if (code !== 0 && !allowFailure) {
          reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${code}:\n${stdout}${stderr}`));
        } else resolvePromise({ code, stdout, stderr });
      },
    );
  });
}
