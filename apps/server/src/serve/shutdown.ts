import type { Logger } from '@cfg/source';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown>;
}

export interface ShutdownOptions {
  /**
   * Steps run in order; a failing step is logged and the next one still runs. A function is asked
   * when the signal arrives (the steps of what is open by then, while starting).
   */
  steps: ShutdownStep[] | (() => ShutdownStep[]);
  /** Upper bound for all steps; past it the process exits 1. @defaultValue 4500 */
  timeoutMs?: number;
  logger: Logger;
  /** @defaultValue `process.exit` */
  exit?: (code: number) => void;
  /** Where SIGINT/SIGTERM/SIGHUP arrive. @defaultValue `process` */
  signals?: Pick<NodeJS.EventEmitter, 'on'>;
}

/** A signal this soon after the first is the same Ctrl-C delivered twice (by the terminal and by pnpm). */
const REPEAT_WINDOW_MS = 1000;

/** The signals that stop the server gracefully: Ctrl-C, a service manager, a closed terminal. */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * SIGINT/SIGTERM/SIGHUP: run the shutdown steps (stop watchers, drain HTTP, stop modules, close the
 * store, stop the embedded database) and exit 0; past `timeoutMs` exit 1. A second signal, sent more
 * than a second after the first, exits at once (130). SIGHUP is what closing the terminal sends;
 * Node's default for it exits at once (129), which left the embedded PostgreSQL running, orphaned.
 */
export function onShutdownSignals(opts: ShutdownOptions): void {
  const {
    steps,
    logger,
    timeoutMs = 4500,
    exit = (code: number) => process.exit(code),
    signals = process,
  } = opts;
  let running: Promise<void> | undefined;
  let startedAt = 0;
  const shutdown = (reason: string): void => {
    startedAt = performance.now();
    logger.info({ reason }, `shutting down (${reason})`);
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, `shutdown did not finish within ${timeoutMs} ms; exiting`);
      exit(1);
    }, timeoutMs);
    deadline.unref();
    running = (async () => {
      for (const step of typeof steps === 'function' ? steps() : steps) {
        const began = performance.now();
        try {
          await step.run();
          logger.debug(
            { step: step.name, ms: Math.round(performance.now() - began) },
            `shutdown: ${step.name}`,
          );
        } catch (error) {
          logger.error({ step: step.name, err: (error as Error).message }, `shutdown: ${step.name} failed`);
        }
      }
      clearTimeout(deadline);
      logger.info({ ms: Math.round(performance.now() - startedAt) }, 'stopped');
      exit(0);
    })();
  };
  for (const signal of SHUTDOWN_SIGNALS) {
    signals.on(signal, () => {
      if (!running) {
        shutdown(signal);
      } else if (performance.now() - startedAt > REPEAT_WINDOW_MS) {
        logger.warn({ signal }, `${signal} again: exiting now`);
        exit(130);
      }
    });
  }
}
