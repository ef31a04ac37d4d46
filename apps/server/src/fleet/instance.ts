import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { InstanceRegistration } from '@cfg/pg-store';

/** Who this process is in the fleet, before it knows which version it runs. */
export type InstanceIdentity = Omit<InstanceRegistration, 'version' | 'hash' | 'ttlMs'>;

/**
 * `<host>-<pid>-<6 hex>`: readable in `cfg status`, unique even when a pid is reused on a host (a
 * container restart), and within the store's id rule (host characters outside it become `_`).
 */
export function instanceIdentity(opts: {
  key: string;
  mode: string;
  labels: Record<string, string>;
  host?: string;
  pid?: number;
}): InstanceIdentity {
  const host = (opts.host ?? hostname()).slice(0, 255) || 'unknown';
  const pid = opts.pid ?? process.pid;
  const safeHost = host.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  return {
    id: `${safeHost}-${pid}-${randomBytes(3).toString('hex')}`,
    key: opts.key,
    host,
    pid,
    mode: opts.mode,
    labels: opts.labels,
    startedAt: new Date(),
  };
}
