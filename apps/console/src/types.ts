/** The parts of the HTTP API's replies the console reads (apps/server/README.md "HTTP API"). */

export interface Issue {
  path: string;
  message: string;
}

export interface Me {
  name: string;
  role: 'admin' | 'read';
}

export interface ConfigReply {
  mode: 'file' | 'database' | 'overlay';
  key?: string;
  source: string;
  hash: string;
  version?: number;
  loadedAt: string;
}

export interface ModuleChange {
  at: string;
  outcome: string;
  status: string;
  version?: number;
}

export interface ModuleInfo {
  name: string;
  type: string;
  reconfigurable: boolean;
  dependsOn: string[];
  config: Record<string, unknown>;
  lastChange: ModuleChange | null;
}

export interface ReloadRecord {
  id: number;
  outcome: 'noop' | 'partial' | 'full' | 'rejected' | 'superseded';
  fromHash: string;
  toHash: string;
  version?: number;
  source: string;
  modules: { name: string; status: string; durationMs: number; error?: string }[];
  reason?: string;
  error?: string;
  errorCode?: string;
  issues?: Issue[];
  durationMs: number;
  at: string;
}

export interface HistoryEntry {
  version: number;
  op: string;
  hash: string | null;
  actor: string;
  message: string | null;
  changedAt: string;
}

export interface VersionReply extends HistoryEntry {
  data: string | null;
}

export interface FleetInstance {
  id: string;
  host: string;
  pid: number;
  mode: string;
  labels: Record<string, string>;
  startedAt: string;
  heartbeatAt: string;
  state: 'live' | 'stopped' | 'gone';
  version: number | null;
  hash: string | null;
  appliedAt: string | null;
  lag: number | null;
  lastOutcome: { version: number; outcome: string; errorCode: string | null; at: string } | null;
}

export interface FleetReply {
  self: string | null;
  key: string;
  newestVersion: number | null;
  instances: FleetInstance[];
  versions: {
    version: number;
    op: string;
    actor: string;
    changedAt: string;
    counts: { applied: number; rejected: number; superseded: number; pending: number };
  }[];
}
