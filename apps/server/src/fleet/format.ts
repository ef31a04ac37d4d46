import type { FleetInstance, FleetState, Rollout } from '@cfg/pg-store';

/** `web-1-4242-a1b2c3 (web-1, pid 4242, zone=a)`: enough to find the process. */
export function describeInstance(instance: FleetInstance): string {
  const labels = Object.entries(instance.labels).map(([k, v]) => `${k}=${v}`);
  return `${instance.id} (${[instance.host, `pid ${instance.pid}`, ...labels].join(', ')})`;
}

/**
 * What `cfg push --wait` and `cfg rollback --wait` print, and their exit code: 0 when every live
 * instance reports the version; 1 when one rejected it (which, and why, with its first issues) or
 * the wait timed out (naming the instances still pending).
 */
export function rolloutLines(rollout: Rollout, waitedMs: number): { lines: string[]; exitCode: 0 | 1 } {
  const { key, version, instances } = rollout;
  const lines: string[] = [];
  for (const { instance, status, outcome } of instances) {
    const how = outcome && status === 'applied' ? ` (${outcome.outcome})` : '';
    lines.push(`  ${status.padEnd(10)} ${describeInstance(instance)}${how}`);
    if (status === 'rejected' && outcome) {
      lines.push(`             ${outcome.errorCode ?? 'rejected'}: ${outcome.error ?? 'no reason given'}`);
      for (const issue of outcome.issues ?? []) lines.push(`               ${issue.path}: ${issue.message}`);
    }
  }
  const rejected = instances.filter((i) => i.status === 'rejected');
  const pending = instances.filter((i) => i.status === 'pending');
  const of = `of ${instances.length} live instance${instances.length === 1 ? '' : 's'}`;
  if (rollout.state === 'rejected') {
    lines.push(
      `version ${version} of "${key}" was REJECTED by ${rejected.length} ${of}: ${rejected.map((i) => i.instance.id).join(', ')}; they keep serving their last good config`,
    );
    return { lines, exitCode: 1 };
  }
  if (rollout.state === 'pending') {
    lines.push(
      `timed out after ${Math.round(waitedMs / 100) / 10}s: version ${version} of "${key}" is still pending on ${pending.length} ${of}: ${pending.map((i) => i.instance.id).join(', ')}`,
    );
    return { lines, exitCode: 1 };
  }
  lines.push(
    instances.length === 0
      ? `no live instance follows "${key}": nothing to wait for`
      : `version ${version} of "${key}" reached all ${instances.length} live instance${instances.length === 1 ? '' : 's'}`,
  );
  return { lines, exitCode: 0 };
}

/** `cfg status`: the instances, then the recent versions with their counts, as two tables. */
export function fleetLines(fleet: FleetState, now = Date.now()): string[] {
  const instances = table(
    ['INSTANCE', 'HOST', 'PID', 'LABELS', 'STATE', 'RUNS', 'SINCE', 'LAG', 'LAST OUTCOME', 'HEARTBEAT'],
    fleet.instances.map((i) => [
      i.id,
      i.host,
      String(i.pid),
      Object.entries(i.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '-',
      i.state,
      i.version === null ? '-' : `v${i.version}`,
      i.appliedAt ? `${ago(i.appliedAt, now)} ago` : '-',
      i.lag === null ? '-' : String(i.lag),
      i.lastOutcome
        ? `v${i.lastOutcome.version} ${i.lastOutcome.outcome}${i.lastOutcome.errorCode ? ` ${i.lastOutcome.errorCode}` : ''}`
        : '-',
      `${ago(i.heartbeatAt, now)} ago`,
    ]),
  );
  const versions = table(
    ['VERSION', 'OP', 'BY', 'WHEN', 'APPLIED', 'REJECTED', 'SUPERSEDED', 'PENDING'],
    fleet.versions.map((v) => [
      `v${v.version}`,
      v.op,
      v.actor,
      `${ago(v.changedAt, now)} ago`,
      String(v.counts.applied),
      String(v.counts.rejected),
      String(v.counts.superseded),
      String(v.counts.pending),
    ]),
  );
  const live = fleet.instances.filter((i) => i.state === 'live').length;
  return [
    `"${fleet.key}": newest version ${fleet.newestVersion ?? '-'}, ${live} live instance${live === 1 ? '' : 's'}`,
    '',
    ...(fleet.instances.length > 0 ? instances : ['no instance has reported in the last hour']),
    '',
    ...versions,
  ];
}

/** Columns padded to their widest cell. */
function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  return [head, ...rows].map((cells) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
}

/** `4s`, `3m`, `2h`, `5d`. */
export function ago(at: Date, now: number): string {
  const s = Math.max(0, Math.round((now - at.getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
