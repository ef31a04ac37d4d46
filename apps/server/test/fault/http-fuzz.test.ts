import { request as httpRequest } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { DatabaseSource } from '@cfg/source';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { TokenAuthenticator } from '../../src/auth/authenticator.js';
import { Runtime } from '../../src/runtime.js';
import { WholeDocument } from '../../src/writers/document-layout.js';
import { StoredWriter } from '../../src/writers/stored-writer.js';
import { readFixture } from '../helpers/configs.js';

/**
 * ≥ 5,000 random requests against a real listening server in database mode (in this process, so
 * `Object.prototype` can be checked): random methods, paths (known routes with random segments,
 * percent-encoded invalid UTF-8, traversal), headers (tokens right, wrong and read-only, content
 * types, If-Match, Last-Event-ID) and bodies (JSON, huge, deeply nested, non-UTF-8, `__proto__` /
 * `constructor` keys). Guarantees: no 5xx and every error is the JSON of the error table; nothing
 * is stored without the admin token (every stored version was acknowledged to an admin request);
 * `Object.prototype` is untouched; the server still answers and runs the latest stored version.
 */

const RUNS = 5_000;
const ADMIN = 'fuzz-admin-token-0123456789';
const READER = 'fuzz-read-token-0123456789';
const KEY = 'default';
/** A request the server neither answers nor closes within this is a hang: a failure. */
const ANSWER_TIMEOUT_MS = 10_000;

let db: TestSchema;
let store: PgConfigStore;
let app: FastifyInstance;
let runtime: Runtime;
let origin: string;

beforeAll(async () => {
  db = await createTestSchema({ poolSize: 4 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  await store.migrate();
  await store.putDocument(KEY, await readFixture(), { actor: 'seed' });
  const source = new DatabaseSource(store, { key: KEY });
  const writer = new StoredWriter({
    mode: 'database',
    store,
    key: KEY,
    layout: new WholeDocument(source.name),
    source,
  });
  runtime = await Runtime.create({ initial: await source.load(), writer });
  const auth = new TokenAuthenticator([
    { name: 'root', role: 'admin', token: ADMIN },
    { name: 'viewer', role: 'read', token: READER },
  ]);
  app = await build({ runtime, auth });
  await app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await runtime?.close();
  await db?.drop();
});

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sent as is on a raw socket instead (HTTP that may not parse). */
  raw?: Buffer;
}

interface FuzzResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Every byte percent-encoded: any string (lone surrogates included) becomes a legal request path. */
const encodeBytes = (bytes: Uint8Array) =>
  [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const segment = fc.oneof(
  fc.constantFrom(
    'greeter',
    'limiter',
    'flags',
    'welcome',
    'status-page',
    'nope',
    '..',
    '%2e%2e',
    '%00',
    '%ff%fe',
    '__proto__',
    'constructor',
    'prototype',
    '1',
    '0',
    '-1',
    '99999999999999999999',
    'a'.repeat(300),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => encodeBytes(Buffer.from(s, 'utf8'))),
  fc.uint8Array({ maxLength: 12 }).map(encodeBytes),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,30}$/),
);

const path = fc.oneof(
  fc.constantFrom(
    '/api/v1/config',
    '/api/v1/status',
    '/api/v1/modules',
    '/api/v1/reloads',
    '/api/v1/events',
    '/api/v1/config/history',
    '/api/v1/config/rollback',
    '/metrics',
    '/hello',
    '/flags',
    '/welcome',
    '/status',
    '/readyz',
    '/healthz',
    '//api/v1/config',
    '/api/v1/modules/greeter/config',
  ),
  segment.map((s) => `/api/v1/modules/${s}/config`),
  segment.map((s) => `/api/v1/modules/${s}`),
  segment.map((s) => `/api/v1/config/versions/${s}`),
  fc.tuple(segment, segment).map(([a, b]) => `/api/v1/config/history?limit=${a}&before=${b}`),
  segment.map((s) => `/api/v1/modules/greeter/config?${s}=${s}`),
  segment.map((s) => `/api/v1/${s}`),
  segment.map((s) => `/${s}`),
);

/** Header values Node's client accepts (no control characters, no DEL); latin-1 included. */
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
    .map((c) => String.fromCharCode(c)),
});

const authorization = fc.oneof(
  fc.constantFrom(
    undefined,
    `Bearer ${ADMIN}`,
    `Bearer ${ADMIN}`,
    `Bearer ${ADMIN}`,
    `bearer ${ADMIN}`,
    `Bearer ${READER}`,
    `Bearer ${ADMIN}x`,
    `Bearer ${ADMIN.slice(0, -1)}`,
    `Basic ${Buffer.from(`root:${ADMIN}`).toString('base64')}`,
    'Bearer ',
    `Bearer ${' '.repeat(500)}`,
    ADMIN,
  ),
  headerText.map((s) => `Bearer ${s}`),
);

const contentType = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    'Application/JSON',
  ),
  headerText,
);

/** `{"a":{"a":…}}` or `[[[…]]]`, `depth` levels. */
const nested = (depth: number, array: boolean) =>
  array ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const HUGE = Buffer.alloc(1024 * 1024 + 100, 'a');

const jsonBody = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 60 }).map((message) => JSON.stringify({ message })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ message: 'fuzz', extra: v })),
  fc.integer({ min: 1, max: 30 }).map((version) => JSON.stringify({ version })),
  fc.constantFrom(
    '{"__proto__":{"polluted":"yes"}}',
    '{"message":"x","__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"message":{"__proto__":{"polluted":"yes"}}}',
    '{"version":1,"__proto__":{"polluted":"yes"}}',
    '{"constructor":"x","message":"y"}',
    '{"message":"ok","toString":"no","valueOf":1,"hasOwnProperty":null}',
    '{"rps":1e308,"burst":-0}',
    '{"rps":"NaN"}',
    '',
    'null',
    '[]',
    '"just a string"',
    '{"message":"\\ud800"}',
    '{"message":"unterminated',
  ),
  fc.tuple(fc.integer({ min: 10, max: 5_000 }), fc.boolean()).map(([depth, array]) => nested(depth, array)),
  fc.constantFrom(100_000).map((depth) => nested(depth, false)),
  fc.integer({ min: 1, max: 2_000 }).map((depth) => `{"message":"deep","nested":${nested(depth, false)}}`),
);

const body: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: jsonBody.map((s) => Buffer.from(s, 'utf8')), weight: 8 },
  { arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)), weight: 2 },
  {
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 8 })
      .map((b) => Buffer.concat([Buffer.from('{"message":"'), Buffer.from(b), Buffer.from('"}')])),
    weight: 2,
  },
  { arbitrary: fc.constant(HUGE), weight: 1 },
);

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.constantFrom(
      'GET',
      'GET',
      'PUT',
      'PUT',
      'PUT',
      'POST',
      'POST',
      'DELETE',
      'PATCH',
      'HEAD',
      'OPTIONS',
      'TRACE',
      'PROPFIND',
    ),
    path,
    authorization,
    contentType,
    ifMatch: fc.option(fc.oneof(fc.constantFrom('1', '"2"', 'W/"3"', '*', ''), headerText), {
      nil: undefined,
    }),
    lastEventId: fc.option(fc.oneof(fc.nat().map(String), headerText), { nil: undefined }),
    body,
  })
  .map(({ method, path, authorization, contentType, ifMatch, lastEventId, body }) => {
    const headers: Record<string, string> = {};
    if (authorization !== undefined) headers.authorization = authorization;
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (ifMatch !== undefined) headers['if-match'] = ifMatch;
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    return { method, path, headers, ...(body ? { body } : {}) };
  });

/** Well-formed writes (greeter PUTs, rollbacks) under every kind of token: the ones that can change the config. */
const plausibleWrite: fc.Arbitrary<FuzzRequest> = fc
  .record({
    token: fc.constantFrom(ADMIN, ADMIN, READER, 'not-a-token-at-all', undefined),
    write: fc.oneof(
      fc.string({ maxLength: 40 }).map((message) => ({
        method: 'PUT',
        path: '/api/v1/modules/greeter/config',
        body: { message },
      })),
      fc.integer({ min: 1, max: 40 }).map((version) => ({
        method: 'POST',
        path: '/api/v1/config/rollback',
        body: { version },
      })),
    ),
  })
  .map(({ token, write }) => ({
    method: write.method,
    path: write.path,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: Buffer.from(JSON.stringify(write.body)),
  }));

/** How fast-check prints a failing request: short, with the body cut (some are a megabyte). */
function labelled(req: FuzzRequest): FuzzRequest {
  const bytes = req.raw ?? req.body;
  const shown = bytes ? JSON.stringify(bytes.subarray(0, 300).toString('latin1')) : 'no body';
  const size = bytes && bytes.length > 300 ? ` (${bytes.length} bytes)` : '';
  return Object.assign(req, {
    [fc.toStringMethod]: () => `${req.method} ${req.path} ${JSON.stringify(req.headers)} ${shown}${size}`,
  });
}

/** Sends one request on a fresh connection; an event stream is cut once its headers arrived. */
function send(req: FuzzRequest): Promise<FuzzResponse> {
  if (req.raw) return sendRaw(req.raw);
  const headers = req.body ? { ...req.headers, 'content-length': String(req.body.length) } : req.headers;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      `${origin}${req.path}`,
      { method: req.method, headers, agent: false },
      (res) => {
        const contentType = String(res.headers['content-type'] ?? '');
        if (contentType.startsWith('text/event-stream')) {
          res.destroy();
          return resolve({ status: res.statusCode!, contentType, body: '' });
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, contentType, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    // The server may answer (413, 401) and close before a huge body is fully sent.
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    outgoing.setTimeout(ANSWER_TIMEOUT_MS, () =>
      reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms to ${req.method} ${req.path}`)),
    );
    outgoing.end(req.body);
  });
}

/** Writes bytes on a raw connection and parses the last response the server sent before closing. */
function sendRaw(bytes: Buffer): Promise<FuzzResponse> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(bytes));
    socket.setTimeout(ANSWER_TIMEOUT_MS, () =>
      reject(
        new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms to ${JSON.stringify(bytes.toString('latin1'))}`),
      ),
    );
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the answer; 'close' follows
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const last = text.slice(text.lastIndexOf('HTTP/1.1 '));
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(last);
      // Bytes with no request in them (blank lines, then the end) get no answer: status 0.
      if (!match) return resolve({ status: 0, contentType: '', body: '' });
      const head = last.slice(0, last.indexOf('\r\n\r\n'));
      const contentType = /^content-type: *(.*)$/im.exec(head)?.[1] ?? '';
      resolve({ status: Number(match[1]), contentType, body: last.slice(head.length + 4) });
    });
  });
}

/** Request-like byte soup: a valid request line with random damage, or random bytes ending in CRLFCRLF. */
const rawRequest: fc.Arbitrary<FuzzRequest> = fc
  .oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([Buffer.from(b), Buffer.from('\r\n\r\n')])),
    fc
      .tuple(headerText, fc.uint8Array({ maxLength: 50 }))
      .map(([header, junk]) =>
        Buffer.concat([
          Buffer.from(
            `PUT /api/v1/modules/greeter/config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN}\r\nX-F: ${header}\r\n`,
            'latin1',
          ),
          Buffer.from(junk),
          Buffer.from('\r\n\r\n'),
        ]),
      ),
    fc
      .nat({ max: 100 })
      .map((n) =>
        Buffer.from(
          `PUT /api/v1/modules/greeter/config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN}\r\nContent-Type: application/json\r\nContent-Length: ${n}\r\nTransfer-Encoding: chunked\r\n\r\n{"message":"smuggled"}`,
        ),
      ),
  )
  .map((raw) => ({ method: 'RAW', path: '(raw)', headers: {}, raw }));

const WRITES = new Set(['PUT', 'POST', 'DELETE', 'PATCH', 'RAW']);
const isAdmin = (req: FuzzRequest) =>
  req.raw
    ? req.raw.includes(`Authorization: Bearer ${ADMIN}\r\n`)
    : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '')?.[1] === ADMIN;

describe('HTTP fuzz (a real listening server, database mode)', () => {
  it(`${RUNS} random requests: no 5xx, JSON errors, no write without the admin token, Object.prototype untouched`, async () => {
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    /** Versions the server acknowledged to an admin write (PUT or rollback answered 2xx). */
    const acknowledged = new Set<number>();
    const statuses = new Map<number, number>();
    let sent = 0;

    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(
            { arbitrary: fuzzRequest, weight: 17 },
            { arbitrary: plausibleWrite, weight: 2 },
            { arbitrary: rawRequest, weight: 1 },
          )
          .map(labelled),
        async (req) => {
          sent++;
          const res = await send(req);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${req.method} ${req.path}`).toBeLessThan(500);
          if (res.status >= 400 && req.method !== 'HEAD') {
            const error = JSON.parse(res.body) as { statusCode: number; code: string };
            expect(error).toMatchObject({ statusCode: res.status, code: expect.stringMatching(/^CFG_ERR_/) });
          }
          if (WRITES.has(req.method) && res.status >= 200 && res.status < 300) {
            expect(
              isAdmin(req),
              `${req.method} ${req.path} answered ${res.status} without the admin token`,
            ).toBe(true);
            const { version } = JSON.parse(res.body) as { version?: number };
            if (typeof version === 'number') acknowledged.add(version);
          }
        },
      ),
      { numRuns: RUNS },
    );

    expect(sent).toBeGreaterThanOrEqual(RUNS);
    // The fuzz reached past auth and validation: some writes were refused, some accepted.
    expect(statuses.get(401)).toBeGreaterThan(0);
    expect(statuses.get(422)).toBeGreaterThan(0);
    expect(statuses.get(413)).toBeGreaterThan(0);
    expect(acknowledged.size).toBeGreaterThan(0);

    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Every stored version after the seed was acknowledged to an admin request; none came from elsewhere.
    const history = await store.history(KEY, { limit: 10_000 });
    for (const entry of history.filter((h) => h.version > 1)) {
      expect(acknowledged.has(entry.version), `version ${entry.version} (by ${entry.actor})`).toBe(true);
      expect(entry.actor).toBe('root');
    }
    const latest = (await store.getDocument(KEY))!;
    const health = await send({ method: 'GET', path: '/healthz', headers: {} });
    expect(health.status).toBe(200);
    const config = await send({
      method: 'GET',
      path: '/api/v1/config',
      headers: { authorization: `Bearer ${READER}` },
    });
    expect(JSON.parse(config.body)).toMatchObject({ version: latest.version });
  }, 180_000);
});
