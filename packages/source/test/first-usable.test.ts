import { describe, expect, it } from 'vitest';
import {
  type AppConfig,
  ConfigNotFoundError,
  ConfigValidationError,
  DatabaseSource,
  firstUsable,
  hashBytes,
  NoUsableConfigError,
} from '../src/index.js';
import { MemoryConfigStore } from './memory-store.js';

const doc = (module: string, rps = 10) =>
  `modules:\n  - name: ${module}\n    type: t\n    config: { rps: ${rps} }\n`;
const BROKEN = 'modules: [\n';

/** The check a service would run: here, `rps` must be positive. */
const positiveRps = (config: AppConfig) =>
  config.modules.flatMap((m, i) =>
    (m.config?.rps as number) > 0 ? [] : [{ path: `modules.${i}.config.rps`, message: 'must be > 0' }],
  );

function sourceOf(...datas: string[]): DatabaseSource {
  const store = new MemoryConfigStore();
  for (const data of datas) store.put('default', data);
  return new DatabaseSource(store);
}

describe('firstUsable', () => {
  it('takes the newest candidate when it parses and passes the check', async () => {
    const { snapshot, skipped } = await firstUsable(sourceOf(doc('a'), doc('b')).versions(), {
      check: positiveRps,
    });
    expect(snapshot).toMatchObject({ version: 2, hash: hashBytes(doc('b')) });
    expect(skipped).toEqual([]);
  });

  it('walks back past versions that do not parse or fail the check, and says why, newest first', async () => {
    const source = sourceOf(doc('good'), doc('bad', -1), BROKEN);
    const { snapshot, skipped } = await firstUsable(source.versions(), { check: positiveRps });
    expect(snapshot.version).toBe(1);
    expect(snapshot.config.modules[0]?.name).toBe('good');
    expect(skipped).toEqual([
      {
        source: 'database:default',
        version: 3,
        code: 'CFG_PARSE',
        message: expect.stringMatching(/^database:default:\d+:\d+: /),
      },
      {
        source: 'database:default',
        version: 2,
        code: 'CFG_VALIDATION',
        message: 'database:default: modules.0.config.rps: must be > 0',
        issues: [{ path: 'modules.0.config.rps', message: 'must be > 0' }],
      },
    ]);
  });

  it('a check that throws ConfigValidationError counts as a refusal too', async () => {
    const { snapshot, skipped } = await firstUsable(sourceOf(doc('a'), doc('b')).versions(), {
      check: (config) => {
        if (config.modules[0]?.name === 'b') throw new ConfigValidationError([{ path: '', message: 'no b' }]);
      },
    });
    expect(snapshot.version).toBe(1);
    expect(skipped.map((s) => s.code)).toEqual(['CFG_VALIDATION']);
  });

  it('no usable candidate: NoUsableConfigError naming the newest problem, with every one skipped', async () => {
    const error = await firstUsable(sourceOf(doc('x', 0), BROKEN).versions(), { check: positiveRps }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NoUsableConfigError);
    expect(error).toMatchObject({ code: 'CFG_NO_USABLE_CONFIG' });
    expect((error as NoUsableConfigError).skipped.map((s) => s.version)).toEqual([2, 1]);
    expect((error as Error).message).toMatch(
      /^no usable config among 2 tried; the newest, version 2: database:default:/,
    );
  });

  it('tries at most `limit` candidates', async () => {
    const error = await firstUsable(sourceOf(doc('a'), BROKEN, `${BROKEN} `, `${BROKEN}  `).versions(), {
      limit: 2,
    }).catch((e: unknown) => e);
    expect((error as NoUsableConfigError).skipped.map((s) => s.version)).toEqual([4, 3]);
    expect((error as Error).message).toMatch(/among 2 tried \(the limit\)/);
  });

  it('any other failure rejects at once: an older version is no answer to a missing document or a dead store', async () => {
    await expect(firstUsable(new DatabaseSource(new MemoryConfigStore()).versions())).rejects.toBeInstanceOf(
      ConfigNotFoundError,
    );
    const unreachable = new Error('connect ECONNREFUSED');
    const dead = {
      name: 'dead',
      load: () => Promise.reject(unreachable),
      hash: () => Promise.reject(unreachable),
    };
    let later = 0;
    const after = { ...dead, load: () => Promise.resolve(later++) as never };
    await expect(firstUsable([dead, after])).rejects.toBe(unreachable);
    expect(later).toBe(0);
  });

  it('takes any iterable of sources, and a check that returns nothing', async () => {
    const source = sourceOf(doc('a'));
    const { snapshot } = await firstUsable([source], { check: () => {} });
    expect(snapshot.version).toBe(1);
  });
});
