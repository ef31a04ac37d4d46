/**
 * Bench 7, a document at the size limit does not stall a replica: a real `cfg serve` in file mode
 * (`--watch`) applies a config of just under `MAX_DOCUMENT_BYTES` (1 MiB of YAML: the example plus a
 * section of ~40,000 keys) again and again, while this process asks `/healthz` and a module route
 * (`/hello`) one request after the other. Reported: their latency while a document is being applied
 * (from the write of the file to the reload's log line), the same with nothing happening, and the
 * apply time. Before the worker thread, the parse alone held the event loop for the whole apply.
 * Run: pnpm --filter @cfg/bench bench:big-document [--quick]   (needs apps/server built)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_DOCUMENT_BYTES } from '@cfg/source';
import { isQuick } from './lib/args.js';
import { assertBuilt, exampleText, ServerProcess, sleep, stopAllServers } from './lib/cfg-server.js';
import { type Figure, timing, value } from './lib/figures.js';
import { publish } from './lib/results.js';
import { summarize } from './lib/stats.js';

const quick = isQuick();
const APPLIES = quick ? 2 : 10;
/** Between applies: the server settles (GC of the old config), and the idle baseline is taken. */
const PAUSE_MS = quick ? 500 : 2_000;
const ROUTES = ['/healthz', '/hello'] as const;
type Route = (typeof ROUTES)[number];

/** The example config plus a `catalog` section that brings it to just under the limit. */
function documentAtLimit(base: string, variant: number): string {
  const head = `${base}\ncatalog:\n`;
  const lines: string[] = [];
  let bytes = Buffer.byteLength(head);
  for (let i = 0; ; i++) {
    const line = `  item_${i}: value-${variant}-${i}\n`;
    if (bytes + line.length > MAX_DOCUMENT_BYTES - 64) break;
    lines.push(line);
    bytes += line.length;
  }
  return head + lines.join('');
}

/** Requests `route` one after the other until `stop()`, recording each latency with its start time. */
function probe(server: ServerProcess, route: Route) {
  const samples: { at: number; ms: number }[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const at = performance.now();
      const res = await server.fetch(route);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${route} answered ${res.status}`);
      samples.push({ at, ms: performance.now() - at });
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

await assertBuilt();
const dir = await mkdtemp(join(tmpdir(), 'cfg-bench-big-'));
const figures: Figure[] = [];
try {
  const file = join(dir, 'config.yaml');
  const base = exampleText('big document'); // the rate limiter opened up: /hello is measured, not its 429s
  const documents = [documentAtLimit(base, 1), documentAtLimit(base, 2)];
  await writeFile(file, base);
  const server = await ServerProcess.start(['--config', file, '--watch']);
  const probes = ROUTES.map((route) => probe(server, route));
  const windows: { from: number; to: number; kind: 'apply' | 'idle' }[] = [];
  try {
    await sleep(PAUSE_MS);
    for (let i = 0; i < APPLIES; i++) {
      const idleFrom = performance.now();
      await sleep(PAUSE_MS);
      windows.push({ from: idleFrom, to: performance.now(), kind: 'idle' });
      const from = server.logs.length;
      const started = performance.now();
      await writeFile(file, documents[i % 2]!);
      const line = await server.waitForLog((e) => typeof e.outcome === 'string', 120_000, from);
      if (line.outcome !== 'full') throw new Error(`expected a full reload, got ${JSON.stringify(line)}`);
      windows.push({ from: started, to: performance.now(), kind: 'apply' });
    }
  } finally {
    await Promise.all(probes.map((p) => p.stop()));
  }

  const within = (kind: 'apply' | 'idle', samples: { at: number; ms: number }[]) =>
    samples
      .filter((s) => windows.some((w) => w.kind === kind && s.at >= w.from && s.at < w.to))
      .map((s) => s.ms);
  const note = `${(Buffer.byteLength(documents[0]!) / 1024).toFixed(0)} KB YAML document, limit ${MAX_DOCUMENT_BYTES.toLocaleString('en')} bytes`;
  for (const [i, route] of ROUTES.entries()) {
    const during = within('apply', probes[i]!.samples);
    const idle = within('idle', probes[i]!.samples);
    figures.push(
      timing(`GET ${route} while a document at the limit is applied`, summarize(during), { note }),
      timing(`GET ${route} with nothing being applied`, summarize(idle)),
    );
    if (route === '/healthz') {
      const p99 = summarize(during).p99;
      figures.push(
        value(
          '/healthz p99 during an apply under 100 ms',
          p99 < 100 ? 'yes' : 'no',
          undefined,
          `p99 ${p99.toFixed(1)} ms`,
        ),
      );
    }
  }
  const applies = windows.filter((w) => w.kind === 'apply').map((w) => w.to - w.from);
  figures.push(timing('apply: file written → reload logged (full reload)', summarize(applies), { note }));
} finally {
  await stopAllServers();
  await rm(dir, { recursive: true, force: true });
}

publish({
  name: 'big-document',
  title: 'Bench 7, a document at the size limit: /healthz and a module route while a replica applies it',
  about: `A cfg serve child in file mode (--watch) gets a ~1 MiB YAML config written ${APPLIES} times (two variants in turn, each a full reload); meanwhile this process requests /healthz and /hello back to back over keep-alive. Latencies are split by whether the request started between the write and the reload's log line ("while applied") or in a pause of ${PAUSE_MS} ms before each write ("nothing being applied").`,
  quick,
  figures,
});
