import type { ReloadResult } from '@cfg/reloader';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where a source error came from. */
export type SourceKind = 'watcher' | 'poller';

/**
 * The server's Prometheus metrics, on a Registry of its own (never prom-client's global one, so
 * two servers in one process, or tests, never collide).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #reloads = new Counter({
    name: 'cfg_reloads_total',
    help: 'Config changes handled, by outcome (noop, partial, full, rejected, superseded).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'cfg_reload_duration_seconds',
    help: 'Time to validate, plan and apply one config change.',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly #version = new Gauge({
    name: 'cfg_config_version',
    help: 'Store version of the applied config (0 when the source is not versioned).',
    registers: [this.registry],
  });
  readonly #lastSuccess = new Gauge({
    name: 'cfg_config_last_success_timestamp_seconds',
    help: 'When a config change was last applied (Unix time).',
    registers: [this.registry],
  });
  readonly #degraded = new Gauge({
    name: 'cfg_config_degraded',
    help: '1 while the latest change or source read failed and the last good config is serving.',
    registers: [this.registry],
  });
  readonly #startupSkipped = new Gauge({
    name: 'cfg_startup_skipped_versions',
    help: 'Newer stored versions skipped at start because they did not parse or validate (0 once a newer version is applied).',
    registers: [this.registry],
  });
  readonly #startupSnapshot = new Gauge({
    name: 'cfg_startup_local_snapshot',
    help: '1 while the process serves the local snapshot it started from because the store could not be read.',
    registers: [this.registry],
  });
  readonly #sourceErrors = new Counter({
    name: 'cfg_source_errors_total',
    help: 'Failed reads or checks of a config source, by who noticed (watcher, poller).',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly #connectionsRefused = new Counter({
    name: 'cfg_http_connections_refused_total',
    help: 'TCP connections closed on arrival because --max-connections were open.',
    registers: [this.registry],
  });
  readonly #eventStreamsDropped = new Counter({
    name: 'cfg_event_streams_dropped_total',
    help: 'Event streams cut because the client left more than the buffer bound unread.',
    registers: [this.registry],
  });

  constructor(initialVersion?: number) {
    this.#version.set(initialVersion ?? 0);
    this.#lastSuccess.set(Date.now() / 1000);
    for (const source of ['watcher', 'poller'] as const) this.#sourceErrors.inc({ source }, 0);
  }

  observeReload(result: ReloadResult, currentVersion: number | undefined): void {
    this.#reloads.inc({ outcome: result.outcome });
    this.#duration.observe({ outcome: result.outcome }, result.durationMs / 1000);
    if (result.outcome === 'partial' || result.outcome === 'full' || result.outcome === 'noop') {
      this.#lastSuccess.set(result.at.getTime() / 1000);
    }
    this.#version.set(currentVersion ?? 0);
  }

  sourceError(kind: SourceKind): void {
    this.#sourceErrors.inc({ source: kind });
  }

  connectionRefused(): void {
    this.#connectionsRefused.inc();
  }

  eventStreamDropped(): void {
    this.#eventStreamsDropped.inc();
  }

  setDegraded(degraded: boolean): void {
    this.#degraded.set(degraded ? 1 : 0);
  }

  setStartupFallback(state: { skippedVersions: number; localSnapshot: boolean }): void {
    this.#startupSkipped.set(state.skippedVersions);
    this.#startupSnapshot.set(state.localSnapshot ? 1 : 0);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
