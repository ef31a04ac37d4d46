import type { ModuleStatus, ReloadOutcome } from '@cfg/reloader';
import type { ReloadLog, ReloadRecord } from './reload-log.js';

/** The last change applied to one module: when, by which reload, and how. */
export interface ModuleChangeRecord {
  at: Date;
  outcome: ReloadOutcome;
  status: ModuleStatus;
  version?: number;
  /** The reload's id in `GET /api/v1/reloads` and the event stream. */
  reload: number;
}

/**
 * Remembers, per module name, the last reload that changed it in place or rebuilt it (rejected and
 * superseded reloads change nothing). A removed module's entry stays until a module of that name
 * changes again: the map is bounded by the module names a config has held, like the reload log.
 */
export class ModuleActivity {
  readonly #last = new Map<string, ModuleChangeRecord>();
  readonly #unsubscribe: () => void;

  constructor(reloads: ReloadLog) {
    this.#unsubscribe = reloads.subscribe((record) => this.#record(record));
  }

  /** The last change of `name`, or `undefined` when it has not changed since this server started. */
  get(name: string): ModuleChangeRecord | undefined {
    return this.#last.get(name);
  }

  close(): void {
    this.#unsubscribe();
  }

  #record(record: ReloadRecord): void {
    if (record.outcome !== 'partial' && record.outcome !== 'full') return;
    for (const module of record.modules) {
      if (module.status !== 'reconfigured' && module.status !== 'rebuilt') continue;
      this.#last.set(module.name, {
        at: record.at,
        outcome: record.outcome,
        status: module.status,
        ...(record.version === undefined ? {} : { version: record.version }),
        reload: record.id,
      });
    }
  }
}
