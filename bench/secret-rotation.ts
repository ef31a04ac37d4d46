/**
 * Issue 15, closing note: how long a rotated secret takes to reach a running server. A real
 * `cfg serve` whose `basic-auth` module takes its password from `${file:…}`; each round writes a new
 * password and times it from the write until `GET /admin` with the new password answers 200 (the
 * old one is then checked to be refused). Three ways in:
 * - file mode (`--watch`), a Kubernetes-style Secret volume swap (new `..<n>` folder, `..data` renamed over);
 * - file mode, a plain file replaced by rename;
 * - database mode (the config is a stored document), a plain file replaced by rename: seen through the
 *   `--secret-dir` watch that nudges the poller (the poll itself is set to a minute, so it never helps).
 * Run: pnpm --filter @cfg/bench bench:secret-rotation [--quick]   (needs apps/server built and PostgreSQL)
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isQuick } from './lib/args.js';
import {
  assertBuilt,
  createBenchSchema,
  SecretVolume,
  ServerProcess,
  sleep,
  stopAllServers,
} from './lib/cfg-server.js';
import { type Figure, timing, value } from './lib/figures.js';
import { publish } from './lib/results.js';
import { summarize } from './lib/stats.js';

const quick = isQuick();
const ROTATIONS = quick ? 20 : 100;
/** Between rounds: past the watcher's confirm re-hash; real rotations are minutes apart. */
const GAP_MS = 200;
const TIMEOUT_MS = 10_000;

const root = await mkdtemp(join(tmpdir(), 'cfg-bench-rotation-'));
const plain = join(root, 'plain');
await mkdir(plain);

async function replacePlain(password: string): Promise<void> {
  await writeFile(join(plain, 'password.tmp'), password);
  await rename(join(plain, 'password.tmp'), join(plain, 'password'));
}

const configText = (passwordFile: string) => `modules:
  - name: admin
    type: static-response
    config: { path: /admin, body: { admin: true } }
  - name: auth
    type: basic-auth
    config:
      paths: [/admin]
      username: admin
      password: \${file:${passwordFile}}
`;

const basic = (password: string) => ({
  authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`,
});

async function status(server: ServerProcess, password: string): Promise<number> {
  const res = await server.fetch('/admin', { headers: basic(password) });
  await res.arrayBuffer();
  return res.status;
}

/** `ROTATIONS` rounds of `rotate`; the time from the write until the new password is accepted. */
async function rounds(
  server: ServerProcess,
  rotate: (password: string) => Promise<void>,
  first: string,
): Promise<{ latencies: number[]; oldAccepted: number; last: string }> {
  const latencies: number[] = [];
  let current = first;
  let oldAccepted = 0;
  for (let round = 0; round < ROTATIONS; round++) {
    const next = randomBytes(12).toString('hex');
    const started = performance.now();
    await rotate(next);
    while ((await status(server, next)) !== 200) {
      if (performance.now() - started > TIMEOUT_MS) throw new Error(`round ${round}: never accepted`);
    }
    latencies.push(performance.now() - started);
    if ((await status(server, current)) !== 401) oldAccepted++;
    current = next;
    await sleep(GAP_MS);
  }
  return { latencies, oldAccepted, last: current };
}

await assertBuilt();
const db = await createBenchSchema('secret_rotation');
const figures: Figure[] = [];
try {
  const initial = 'initial-password';
  const volume = await SecretVolume.create(join(root, 'volume'), 'password', initial);
  await replacePlain(initial);
  const secretDirs = ['--secret-dir', volume.dir, '--secret-dir', plain];

  const volumeFile = join(root, 'volume.yaml');
  await writeFile(volumeFile, configText(volume.path));
  const fileServer = await ServerProcess.start(['--config', volumeFile, '--watch', ...secretDirs]);
  const swaps = await rounds(fileServer, (password) => volume.swap(password), initial);
  await fileServer.stop();
  figures.push(
    timing('file mode, Secret volume ..data swap → new password accepted', summarize(swaps.latencies), {
      note: 'ConfigWatcher on the secret directory, default debounce 100 ms; partial reload of basic-auth',
    }),
  );

  const plainFile = join(root, 'plain.yaml');
  await writeFile(plainFile, configText(join(plain, 'password')));
  const plainServer = await ServerProcess.start(['--config', plainFile, '--watch', ...secretDirs]);
  const renames = await rounds(plainServer, replacePlain, initial);
  await plainServer.stop();
  figures.push(
    timing('file mode, file replaced by rename → new password accepted', summarize(renames.latencies)),
  );

  await db.store.putDocument('default', configText(join(plain, 'password')), { actor: 'bench' });
  const dbServer = await ServerProcess.start([...db.serveArgs, '--poll-interval-ms', '60000', ...secretDirs]);
  const stored = await rounds(dbServer, replacePlain, renames.last);
  await dbServer.stop();
  figures.push(
    timing('database mode, file replaced by rename → new password accepted', summarize(stored.latencies), {
      note: '--secret-dir watch nudges the poller (50 ms quiet time), then hash check + load + partial reload',
    }),
    value(
      'old password still accepted after the new one was',
      swaps.oldAccepted + renames.oldAccepted + stored.oldAccepted,
      `of ${3 * ROTATIONS} rounds`,
    ),
  );
} finally {
  await stopAllServers();
  await db.drop();
  await rm(root, { recursive: true, force: true });
}

publish({
  name: 'secret-rotation',
  title: `Secret rotation → a running cfg serve accepts the new password (${ROTATIONS} rotations per row)`,
  about:
    'Real processes. Each round writes a new password file (or swaps a Kubernetes-style Secret volume) and times it until GET /admin with the new password answers 200 from the basic-auth module, reconfigured in place; the old password is then checked to be refused. Rounds are 200 ms apart.',
  quick,
  figures,
});
