import type { InstanceRegistration, OutcomeReport } from './fleet-types.js';
import type { OutcomeRow } from './sql/insertOutcomes.js';
import type { InstanceRow } from './sql/upsertInstance.js';
import { assertInteger, assertValidKey } from './validate.js';

/** The instance id rule; the same rule is a CHECK constraint (`sql/000002.sql`). */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;
const LABEL_NAME_PATTERN = /^[A-Za-z0-9._/-]{1,63}$/;
const MAX_LABELS = 32;
const MAX_LABEL_VALUE = 255;
const MAX_HOST = 255;
const MAX_MODE = 32;
const MAX_ERROR_CODE = 100;
const MAX_ERROR = 1000;
const MAX_ISSUES = 10;
const MAX_ISSUE_PATH = 500;
const MAX_ISSUE_MESSAGE = 500;
const OUTCOMES: ReadonlySet<string> = new Set(['noop', 'partial', 'full', 'rejected', 'superseded']);
const DEFAULT_TTL_MS = 30_000;

/** Checks a registration (TypeError/RangeError/InvalidKeyError) and resolves its defaults. */
export function instanceRow(reg: InstanceRegistration): InstanceRow {
  assertInstanceId(reg.id);
  assertValidKey(reg.key);
  _assertText('host', reg.host, MAX_HOST);
  _assertText('mode', reg.mode, MAX_MODE);
  assertInteger('pid', reg.pid, 0);
  const ttlMs = reg.ttlMs ?? DEFAULT_TTL_MS;
  assertInteger('ttlMs', ttlMs, 1);
  if (reg.version !== undefined) assertInteger('version', reg.version, 1);
  const labels = reg.labels ?? {};
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS)
    throw new RangeError(`at most ${MAX_LABELS} labels, got ${entries.length}`);
  for (const [name, value] of entries) {
    if (!LABEL_NAME_PATTERN.test(name))
      throw new TypeError(`label name ${JSON.stringify(name)}: use 1-63 characters from A-Z a-z 0-9 . _ / -`);
    _assertText(`label "${name}"`, value, MAX_LABEL_VALUE, 0);
  }
  return {
    id: reg.id,
    key: reg.key,
    host: reg.host,
    pid: reg.pid,
    mode: reg.mode,
    labels: Object.fromEntries(entries),
    startedAt: reg.startedAt ?? new Date(),
    version: reg.version ?? null,
    hash: reg.hash ?? null,
    ttlMs,
  };
}

/**
 * Checks a report and bounds what it carries: the error cut to 1,000 characters, the first 10 issues
 * kept (paths and messages cut to 500), so one report is never more than ~12 KB.
 */
export function outcomeRow(report: OutcomeReport): OutcomeRow {
  assertInstanceId(report.instanceId);
  assertValidKey(report.key);
  assertInteger('version', report.version, 1);
  if (!OUTCOMES.has(report.outcome))
    throw new TypeError(`outcome must be one of ${[...OUTCOMES].join(', ')}, got ${String(report.outcome)}`);
  return {
    instanceId: report.instanceId,
    key: report.key,
    version: report.version,
    outcome: report.outcome,
    hash: report.hash ?? null,
    errorCode: _cut(report.errorCode, MAX_ERROR_CODE),
    error: _cut(report.error, MAX_ERROR),
    issues:
      report.issues?.slice(0, MAX_ISSUES).map((i) => ({
        path: _cut(String(i.path), MAX_ISSUE_PATH) ?? '',
        message: _cut(String(i.message), MAX_ISSUE_MESSAGE) ?? '',
      })) ?? null,
    durationMs: Number.isFinite(report.durationMs) ? (report.durationMs as number) : null,
  };
}

export function assertInstanceId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !INSTANCE_ID_PATTERN.test(id))
    throw new TypeError(`instance id ${JSON.stringify(id)}: use 1-100 characters from A-Z a-z 0-9 . _ : -`);
}

function _assertText(name: string, value: unknown, max: number, min = 1): asserts value is string {
  if (typeof value !== 'string' || value.length < min || value.length > max)
    throw new TypeError(`${name} must be a string of ${min}-${max} characters`);
}

/** `text` cut to `max` characters (an ellipsis marks the cut), or `null`. */
function _cut(text: string | undefined, max: number): string | null {
  if (text === undefined) return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
