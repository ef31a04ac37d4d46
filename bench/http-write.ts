/**
 * Bench 3, the HTTP write path: `PUT /api/v1/modules/greeter/config` against one real `cfg serve`
 * in database mode, driven by autocannon (10 connections), with where the server's time went (its
 * `Server-Timing` header: waiting for its earlier writes, PostgreSQL, editing + checking the
 * document, applying it), beside a `GET /hello` baseline and a raw upsert + `pg_notify` transaction
 * loop on the same PostgreSQL in the same run (10 connections on one hot row, as the PUTs; and 1).
 * Every PUT must answer 2xx and become exactly one new version; the bench checks both.
 * Run: pnpm --filter @cfg/bench bench:http-write [--quick]   (needs apps/server built and PostgreSQL)
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashBytes, parseConfig } from '@cfg/source';
import autocannon, { type Result } from 'autocannon';
import pg from 'pg';
import { isQuick } from './lib/args.js';
import {
  ADMIN_TOKEN,
  assertBuilt,
  type BenchSchema,
  cpuTimeMs,
  createBenchSchema,
  exampleText,
  ServerProcess,
  stopAllServers,
} from './lib/cfg-server.js';
import { type Figure, ratio, timing, value } from './lib/figures.js';
import { publish } from './lib/results.js';
import { type Stats, summarize } from './lib/stats.js';

const quick = isQuick();
const CONNECTIONS = 10;
const DURATION_S = quick ? 3 : 20;
const WARMUP_S = quick ? 1 : 2;
const PHASES = ['queue', 'db', 'edit', 'reload'] as const;
type Phase = (typeof PHASES)[number];

const PHASE_NOTES: Record<Phase, string> = {
  queue: "waiting for this server's earlier writes (one at a time per document)",
  db: 'PostgreSQL: write the next version (one statement: row, history, NOTIFY); a read only when another writer moved the document on',
  edit: "edit the server's open copy of the YAML document, read the config off it, validate the whole config",
  reload: 'apply it through the reloader (partial: the greeter)',
};

/** autocannon's latency histogram as Stats (ms, 1 ms resolution). */
function latencyStats(result: Result): Stats {
  const { p50, p99, min, max, totalCount } = result.latency as Result['latency'] & { totalCount: number };
  return { median: p50, p99, min, max, runs: totalCount };
}

/** `queue;dur=0.01, db;dur=0.84` → { queue: 0.01, db: 0.84 }. */
function parseServerTiming(header: string | undefined): Partial<Record<Phase, number>> {
  const out: Partial<Record<Phase, number>> = {};
  for (const part of (header ?? '').split(',')) {
    const [name, dur] = part.trim().split(';dur=');
    if (name && dur && (PHASES as readonly string[]).includes(name)) out[name as Phase] = Number(dur);
  }
  return out;
}

/** PUTs with a new message each; collects statuses and each response's phases. */
async function putLoad(server: ServerProcess, seconds: number) {
  let n = 0;
  const statuses = new Map<number, number>();
  const phases = new Map<Phase, number[]>(PHASES.map((p) => [p, []]));
  const result = await autocannon({
    url: `${server.url}/api/v1/modules/greeter/config`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ message: `put ${++n}` }) }),
        onResponse: (status, _body, _context, headers) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const timings = parseServerTiming(headers['server-timing']);
          for (const phase of PHASES) phases.get(phase)!.push(timings[phase] ?? 0);
        },
      },
    ],
  });
  return { result, statuses, phases, sent: n };
}

async function getLoad(server: ServerProcess, seconds: number): Promise<Result> {
  return autocannon({ url: `${server.url}/hello`, connections: CONNECTIONS, duration: seconds });
}

/**
 * `writers` clients each looping `begin; insert … on conflict (key) do update; select pg_notify;
 * commit` on one hot key for `seconds`: what any upsert-plus-notify write needs at least.
 */
async function rawLoop(db: BenchSchema, writers: number, seconds: number): Promise<number> {
  const text = exampleText('raw');
  const clients = await Promise.all(
    Array.from({ length: writers }, async () => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      return client;
    }),
  );
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < deadline) {
          const data = `${text}# raw ${done}\n`;
          await client.query('begin');
          const { rows } = await client.query<{ version: number }>(
            `insert into ${db.schema}.raw (key, data, hash, version) values ('hot', $1, $2, 1)
             on conflict (key) do update set data = excluded.data, hash = excluded.hash, version = raw.version + 1
             returning version`,
            [data, hashBytes(data)],
          );
          await client.query('select pg_notify($1, $2)', [
            `${db.schema}_raw`,
            JSON.stringify({ key: 'hot', version: rows[0]!.version }),
          ]);
          await client.query('commit');
          done++;
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  return done / ((performance.now() - started) / 1000);
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

type PutRun = Awaited<ReturnType<typeof putRun>>;
const rateOf = (run: PutRun) => run.puts.result['2xx'] / run.puts.result.duration;

/** Rate, latency, edit phase and CPU of a further PUT run (`label`: what differs from the YAML run). */
function runFigures(label: string, run: PutRun, editNote?: string): Figure[] {
  return [
    value(`PUT requests/s, ${label}`, rateOf(run), 'req/s', `${run.puts.result['2xx']} PUTs`),
    timing(`PUT latency, ${label}`, latencyStats(run.puts.result), { note: 'autocannon, 1 ms resolution' }),
    timing(
      `PUT phase: edit, ${label}`,
      summarize(run.puts.phases.get('edit')!),
      editNote ? { note: editNote } : {},
    ),
    value(`cfg serve CPU per PUT, ${label}`, run.cpuMsPerPut, 'ms'),
  ];
}

const tempDirs: string[] = [];
/** The example config as a file (the base of overlay mode), in a directory removed at the end. */
async function exampleFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-bench-http-write-'));
  tempDirs.push(dir);
  const file = join(dir, 'config.yaml');
  await writeFile(file, exampleText('version 1'));
  return file;
}

/**
 * A `cfg serve` on document `key`, warmed up, then PUT-loaded for DURATION_S with its CPU time
 * read around the run. Checks that every PUT answered 2xx and became one version, and that the
 * server runs the last one. Leaves the server running (the caller stops it).
 */
async function putRun(db: BenchSchema, key: string, opts: { modeArgs?: string[]; rawAround?: boolean } = {}) {
  const server = await ServerProcess.start([...db.serveArgs, ...(opts.modeArgs ?? ['--key', key])]);
  const warm = await putLoad(server, WARMUP_S);
  // This machine's speed drifts over minutes: the raw rate is read right before and right after.
  const rawBefore = opts.rawAround ? await rawLoop(db, CONNECTIONS, DURATION_S / 2) : undefined;
  const cpuBefore = await cpuTimeMs(server.child.pid!);
  const puts = await putLoad(server, DURATION_S);
  const cpuMsPerPut = ((await cpuTimeMs(server.child.pid!)) - cpuBefore) / puts.result['2xx'];
  const rawAfter = opts.rawAround ? await rawLoop(db, CONNECTIONS, DURATION_S / 2) : undefined;

  // Every PUT answered 2xx and is exactly one version (each body differs, so each is a new version);
  // the ones still in flight when autocannon stopped may have been stored without being counted.
  const bad = [...puts.statuses, ...warm.statuses].filter(([status]) => status < 200 || status > 299);
  if (bad.length > 0 || puts.result.errors > 0)
    throw new Error(`http-write: non-2xx PUTs ${JSON.stringify(bad)}, ${puts.result.errors} errors`);
  const answered = sum([...warm.statuses.values(), ...puts.statuses.values()]);
  const sent = warm.sent + puts.sent;
  // PUTs autocannon left in flight finish after it returns: wait until the server runs what the store holds.
  const settled = performance.now() + 10_000;
  let stored = 0;
  let applied = -1;
  while (applied !== stored) {
    if (performance.now() > settled)
      throw new Error(`http-write: the server runs version ${applied}, the store has ${stored}`);
    stored = (await db.store.getDocument(key))!.version;
    const res = await server.fetch('/api/v1/config', { token: ADMIN_TOKEN });
    applied = ((await res.json()) as { version: number }).version;
  }
  if (stored - 1 < answered || stored - 1 > sent)
    throw new Error(
      `http-write: ${answered} PUTs answered 2xx (${sent} sent) but "${key}" is at version ${stored}`,
    );
  return { server, puts, cpuMsPerPut, rawBefore, rawAfter };
}

await assertBuilt();
const db = await createBenchSchema('http_write');
const figures: Figure[] = [];
try {
  const example = parseConfig(exampleText('version 1'), { filename: 'example' });
  await db.store.putDocument('json', `${JSON.stringify(example, null, 2)}\n`, { actor: 'bench' });
  await db.pool.query(
    `create table ${db.schema}.raw (key text primary key, data text not null, hash text not null, version int not null)`,
  );
  const yaml = await putRun(db, 'default', { rawAround: true });
  const { server } = yaml;
  const gets = await getLoad(server, DURATION_S);
  await server.stop();
  // The same PUTs on the same config stored as JSON: what editing YAML in place costs.
  const json = quick ? undefined : await putRun(db, 'json');
  await json?.server.stop();
  // Overlay mode (what `pnpm start` runs): the file is the base, each PUT a new overlay version.
  const overlay = quick
    ? undefined
    : await putRun(db, 'overlay', {
        modeArgs: ['--config', await exampleFile(), '--overlay-key', 'overlay'],
      });
  await overlay?.server.stop();
  const raw10 = (yaml.rawBefore! + yaml.rawAfter!) / 2;
  const raw1 = await rawLoop(db, 1, DURATION_S);
  const puts = yaml.puts;

  const putRate = puts.result['2xx'] / puts.result.duration;
  const getRate = gets['2xx'] / gets.duration;
  figures.push(
    value('PUT requests/s', putRate, 'req/s', `${puts.result['2xx']} PUTs in ${puts.result.duration} s`),
    timing('PUT latency', latencyStats(puts.result), { note: 'autocannon, 1 ms resolution' }),
    value('GET /hello requests/s', getRate, 'req/s', `${gets['2xx']} 2xx, ${gets.non2xx} other`),
    timing('GET /hello latency', latencyStats(gets), { note: 'autocannon, 1 ms resolution' }),
    value(
      'raw upsert + notify tx/s, 10 connections',
      raw10,
      'tx/s',
      `one hot key, as the PUTs; mean of ${DURATION_S / 2} s right before the PUTs (${yaml.rawBefore!.toFixed(0)}) and right after (${yaml.rawAfter!.toFixed(0)})`,
    ),
    value('raw upsert + notify tx/s, 1 connection', raw1, 'tx/s'),
    ratio(
      'PUT / raw transactions (10 connections)',
      putRate,
      raw10,
      'PUT requests/s over raw upsert + notify transactions/s, both 10 connections, same document, same PostgreSQL (target ≥ 0.5)',
    ),
    ratio(
      'PUT / raw transactions (1 connection)',
      putRate,
      raw1,
      "PUT requests/s over one raw writer's transactions/s (a server's writes to one document go one at a time)",
    ),
    ratio('PUT / GET /hello', putRate, getRate, 'PUT requests/s over GET /hello requests/s, same server'),
    value(
      'cfg serve CPU per PUT',
      yaml.cpuMsPerPut,
      'ms',
      'server process CPU time during the run / PUTs answered',
    ),
  );
  if (json) {
    figures.push(
      ...runFigures('JSON document', json),
      ratio(
        'PUT JSON / PUT YAML',
        rateOf(json),
        putRate,
        'PUT requests/s with the config stored as JSON over stored as YAML',
      ),
    );
  }
  if (overlay) {
    figures.push(
      ...runFigures(
        'overlay mode',
        overlay,
        'read the base file (parsed only when its bytes changed), edit the overlay, merge, validate',
      ),
      ratio(
        'PUT overlay / raw transactions (10 connections)',
        rateOf(overlay),
        raw10,
        'overlay-mode PUT requests/s over raw upsert + notify transactions/s',
      ),
    );
  }
  const work = sum(PHASES.filter((p) => p !== 'queue').map((p) => sum(puts.phases.get(p)!)));
  for (const phase of PHASES) {
    const samples = puts.phases.get(phase)!;
    figures.push(timing(`PUT phase: ${phase}`, summarize(samples), { note: PHASE_NOTES[phase] }));
    if (phase !== 'queue')
      figures.push(
        value(`share of PUT work: ${phase}`, (100 * sum(samples)) / work, '%', 'of db + edit + reload'),
      );
  }
} finally {
  await stopAllServers();
  await db.drop();
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
}

publish({
  name: 'http-write',
  title: '3. HTTP write path: PUT /api/v1/modules/:name/config (autocannon)',
  about: `One \`cfg serve\` (apps/server/dist) in database mode, the example config (~2.5 KB YAML, comments kept) as the stored document. autocannon 8 in this process, ${CONNECTIONS} connections, ${DURATION_S} s per run after a ${WARMUP_S} s warm-up; each PUT sets a new greeter message, so each is one new version (checked: every PUT answered 2xx, the document holds one version per PUT, the server runs the last). Full runs repeat the PUTs with the config stored as JSON, and in overlay mode (the example file as the base, PUTs stored as overlay versions; what \`pnpm start\` runs). Phases come from the server's \`Server-Timing\` header (per request; "work" = db + edit + reload, queue = waiting for the write before). The raw loop runs on the same PostgreSQL with the server idle, 10 connections for half the run time right before and right after the YAML PUT run (this machine's CPU speed drifts, by up to 2× over minutes; the mean of the two is the ratio's denominator), 1 connection at the end: \`begin; insert … on conflict (key) do update … returning version; select pg_notify(…); commit\` on one hot key, same document text. Client, server and PostgreSQL share the machine's cores.`,
  quick,
  figures,
});
