/** Order statistics of one set of samples (all in the same unit). */
export interface Stats {
  median: number;
  p99: number;
  min: number;
  max: number;
  runs: number;
}

/** Nearest-rank percentile of an ascending list; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new RangeError('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    runs: sorted.length,
  };
}

export interface MeasureOptions {
  runs: number;
  /** Runs before the measured ones, discarded (JIT, caches). @defaultValue 5 */
  warmup?: number;
}

/** Milliseconds per call of `fn` over `runs` calls after a warm-up. `fn` may check its own result. */
export function measure(fn: () => unknown, options: MeasureOptions): Stats {
  const { runs, warmup } = { warmup: 5, ...options };
  const samples: number[] = [];
  for (let run = 0; run < warmup + runs; run++) {
    const start = performance.now();
    fn();
    const elapsed = performance.now() - start;
    if (run >= warmup) samples.push(elapsed);
  }
  return summarize(samples);
}

/** `measure` for async work; calls run one after another. */
export async function measureAsync(fn: () => Promise<unknown>, options: MeasureOptions): Promise<Stats> {
  const { runs, warmup } = { warmup: 5, ...options };
  const samples: number[] = [];
  for (let run = 0; run < warmup + runs; run++) {
    const start = performance.now();
    await fn();
    const elapsed = performance.now() - start;
    if (run >= warmup) samples.push(elapsed);
  }
  return summarize(samples);
}

/**
 * `measureAsync` for several variants at once, interleaved: each round runs every variant once, in
 * turn, so that a noisy stretch of a shared machine falls on all of them alike.
 */
export async function measureInterleaved<K extends string>(
  variants: Record<K, () => Promise<unknown>>,
  options: MeasureOptions,
): Promise<Record<K, Stats>> {
  const { runs, warmup } = { warmup: 5, ...options };
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let run = 0; run < warmup + runs; run++) {
    for (const name of names) {
      const start = performance.now();
      await variants[name]();
      const elapsed = performance.now() - start;
      if (run >= warmup) samples[name].push(elapsed);
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples[name])])) as Record<K, Stats>;
}

/**
 * k in time ≈ c · size^k, by least squares on log(time) against log(size): 1 is linear, 2
 * quadratic. Uses every point, so one noisy size cannot decide it alone.
 */
export function growthExponent(points: readonly { size: number; ms: number }[]): number {
  const logs = points.map((p) => ({ x: Math.log(p.size), y: Math.log(p.ms) }));
  const mean = (f: (p: { x: number; y: number }) => number) =>
    logs.reduce((s, p) => s + f(p), 0) / logs.length;
  const mx = mean((p) => p.x);
  const my = mean((p) => p.y);
  return mean((p) => (p.x - mx) * (p.y - my)) / mean((p) => (p.x - mx) ** 2);
}

/** Runs `work` and returns its value with the milliseconds it took. */
export function timed<T>(work: () => T): [T, number] {
  const start = performance.now();
  const value = work();
  return [value, performance.now() - start];
}

/** A number cut to `digits` significant decimals, for printing and JSON. */
export function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}
