import { diffConfigs } from '@cfg/diff';
import { describe, expect, it } from 'vitest';
import { applyPartial, type PartialStep } from '../src/apply-partial.js';
import { app, FakeTarget, mod } from './helpers.js';

const BEFORE = app([mod('a', { v: 1 }), mod('b', { v: 1 }), mod('c', { v: 1 })]);
const AFTER = app(BEFORE.modules.map((m) => ({ ...m, config: { v: 2 } })));

function setup() {
  const target = new FakeTarget(BEFORE);
  const steps: PartialStep[] = diffConfigs(BEFORE, AFTER).modules.modified.map((change) => ({
    change,
    module: target.fake(change.name),
  }));
  return { target, steps };
}

const applies = (log: string[]) => log.filter((line) => !line.includes('.prepare('));

describe('applyPartial', () => {
  it('prepares every module, then reconfigures each in order', async () => {
    const { target, steps } = setup();

    const result = await applyPartial(steps, 1_000);

    expect(result.ok).toBe(true);
    expect(result.reports.map((r) => [r.name, r.status])).toEqual([
      ['a', 'reconfigured'],
      ['b', 'reconfigured'],
      ['c', 'reconfigured'],
    ]);
    expect(target.log).toEqual([
      'a.prepare({"v":2})',
      'b.prepare({"v":2})',
      'c.prepare({"v":2})',
      'a.reconfigure({"v":2})',
      'b.reconfigure({"v":2})',
      'c.reconfigure({"v":2})',
    ]);
    expect(result.reports.every((r) => r.durationMs >= 0)).toBe(true);
  });

  it('stops at the first refusal in prepare, before touching anything', async () => {
    const { target, steps } = setup();
    target.fake('b').refuse = new Error('no');

    const result = await applyPartial(steps, 1_000);

    expect(result).toMatchObject({ ok: false, phase: 'prepare', failed: { name: 'b' } });
    expect(target.log).toEqual(['a.prepare({"v":2})', 'b.prepare({"v":2})']);
  });

  it('rolls back the finished modules in reverse order when one fails', async () => {
    const { target, steps } = setup();
    target.fake('c').fail = new Error('boom');

    const result = await applyPartial(steps, 1_000);

    expect(result).toMatchObject({ ok: false, phase: 'reconfigure', failed: { name: 'c' } });
    expect(applies(target.log)).toEqual([
      'a.reconfigure({"v":2})',
      'b.reconfigure({"v":2})',
      'c.reconfigure({"v":2})',
      'b.reconfigure({"v":1})',
      'a.reconfigure({"v":1})',
    ]);
    expect(result.reports.map((r) => [r.name, r.status, r.error])).toEqual([
      ['a', 'rolled-back', undefined],
      ['b', 'rolled-back', undefined],
      ['c', 'failed', 'boom'],
    ]);
  });

  it('bounds a rollback by the module timeout too', async () => {
    const { target, steps } = setup();
    target.fake('b').fail = new Error('boom');
    const a = target.fake('a');
    const apply = a.reconfigure.bind(a);
    let rollbackSignal: AbortSignal | undefined;
    a.reconfigure = (next, ctx) => {
      if (next.config?.v === 2) return apply(next, ctx);
      rollbackSignal = ctx.signal;
      return new Promise(() => {});
    };

    const result = await applyPartial(steps, 150);

    expect(rollbackSignal?.aborted).toBe(true);
    expect(result.reports[0]).toMatchObject({
      name: 'a',
      status: 'failed',
      error: expect.stringMatching(/^rollback failed: module "a" rollback did not finish within 150 ms/),
    });
  });

  it('treats `throw undefined` as a failure', async () => {
    const { target, steps } = setup();
    target.fake('a').reconfigure = () => Promise.reject(undefined);

    const result = await applyPartial(steps, 1_000);

    expect(result).toMatchObject({ ok: false, failed: { name: 'a' } });
  });
});
