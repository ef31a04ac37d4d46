import { type AppConfig, hashConfig, type ModuleConfig } from '@cfg/source';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigReloader } from '../src/reloader.js';
import type { ReloadResult } from '../src/types.js';
import { app, FakeTarget, mod, snapshot, tick } from './helpers.js';

const NAMES = ['a', 'b', 'c', 'd', 'e'] as const;

/** Random configs over a small pool, so changes hit every plan: partial, full, noop. */
const moduleArb = (name: string) =>
  fc.record({
    present: fc.boolean(),
    type: fc.constantFrom('http', 'queue'),
    v: fc.integer({ min: 0, max: 3 }),
    dependsOn: fc.subarray(NAMES.filter((n) => n < name)),
  });

const configArb: fc.Arbitrary<AppConfig> = fc
  .record({
    modules: fc.tuple(...NAMES.map(moduleArb)),
    workflows: fc.integer({ min: 0, max: 1 }),
  })
  .map(({ modules, workflows }) =>
    app(
      modules.flatMap((m, i): ModuleConfig[] =>
        m.present ? [mod(NAMES[i]!, { v: m.v }, { type: m.type, dependsOn: m.dependsOn })] : [],
      ),
      { workflows: { n: workflows } },
    ),
  );

/** 50 changes, each fired after 0–3 event-loop turns, so some arrive mid-reload and some between. */
const callsArb = fc.array(fc.record({ config: configArb, wait: fc.integer({ min: 0, max: 3 }) }), {
  minLength: 50,
  maxLength: 50,
});

describe('serial queue with newest-wins coalescing', () => {
  it('never overlaps target calls, applies in order, and ends on the last change', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, callsArb, async (initial, calls) => {
        const target = new FakeTarget(initial);
        const reloader = new ConfigReloader({ initial: snapshot(initial), target });
        const settled: ReloadResult[] = [];
        reloader.on('reload', (r) => settled.push(r));
        // Which call each object handed to the target came from (configs and their module objects).
        const origin = new Map<object, number>();
        calls.forEach(({ config }, i) => {
          origin.set(config, i);
          for (const m of config.modules) origin.set(m, i);
        });

        const pending: Promise<ReloadResult>[] = [];
        for (const { config, wait } of calls) {
          for (let t = 0; t < wait; t++) await tick();
          pending.push(reloader.handleChange(snapshot(config)));
        }
        const results = await Promise.all(pending);

        expect(target.overlap.max).toBeLessThanOrEqual(1);
        expect(reloader.current.hash).toBe(hashConfig(calls.at(-1)!.config));
        expect(results.at(-1)!.outcome).not.toBe('superseded');

        // Every result is about its own call; a superseded one names the next call that ran instead.
        results.forEach((result, i) => {
          expect(result.toHash).toBe(hashConfig(calls[i]!.config));
          expect(['noop', 'partial', 'full', 'superseded']).toContain(result.outcome);
          if (result.outcome !== 'superseded') return;
          const winner = results.findIndex((r, j) => j > i && r.outcome !== 'superseded');
          expect(result.supersededBy).toBe(results[winner]!.toHash);
        });

        // Applied changes settled in call order, and the target only ever saw them in that order.
        // A call equal to the one before it while that one waits shares its result (counted once,
        // at the first), and one equal to what already runs is a noop without events.
        const ran = results
          .map((r, i) => (r.outcome === 'superseded' || results[i - 1] === r ? -1 : i))
          .filter((i) => i >= 0);
        const repeat = (r: ReloadResult) => r.outcome === 'noop' && r.fromHash === r.toHash;
        const settledRan = settled.filter((r) => r.outcome !== 'superseded').map((r) => results.indexOf(r));
        expect(settledRan).toEqual(ran.filter((i) => !repeat(results[i]!)));
        const seen = target.inputs.map((input) => origin.get(input) ?? -1);
        expect(seen).toEqual([...seen].sort((x, y) => x - y));
        expect(seen.every((i) => ran.includes(i))).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('runs the first change at once and coalesces the 49 fired during it into the newest', async () => {
    const initial = app([mod('a', { v: 0 })]);
    const target = new FakeTarget(initial);
    const reloader = new ConfigReloader({ initial: snapshot(initial), target });
    const configs = Array.from({ length: 50 }, (_, i) => app([mod('a', { v: i + 1 })]));

    const results = await Promise.all(configs.map((c) => reloader.handleChange(snapshot(c))));

    expect(results.map((r) => r.outcome)).toEqual(['partial', ...Array(48).fill('superseded'), 'partial']);
    expect(results.slice(1, 49).every((r) => r.supersededBy === results[49]!.toHash)).toBe(true);
    expect(target.log.filter((l) => l.includes('reconfigure'))).toEqual([
      'a.reconfigure({"v":1})',
      'a.reconfigure({"v":50})',
    ]);
    expect(reloader.status().counts).toMatchObject({ partial: 2, superseded: 48 });
  });
});
