import { ConfigValidationError } from '@cfg/source';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssuePath, isStandardSchema, runValidator } from '../src/validate.js';
import { app, mod } from './helpers.js';

const CONFIG = app([mod('db', { pool: 5 }), mod('api', { port: 'eighty' })]);

describe('runValidator with a function', () => {
  it('accepts when it returns nothing or an empty list', async () => {
    expect(await runValidator(() => undefined, CONFIG)).toEqual([]);
    expect(await runValidator(async () => [], CONFIG)).toEqual([]);
  });

  it('returns the issues it returns', async () => {
    const issues = [{ path: 'modules.1.config.port', message: 'not a number' }];
    expect(await runValidator(async () => issues, CONFIG)).toEqual(issues);
  });

  it('keeps the issues of a thrown ConfigValidationError', async () => {
    const thrown = new ConfigValidationError([{ path: 'modules.0', message: 'bad' }]);
    expect(
      await runValidator(() => {
        throw thrown;
      }, CONFIG),
    ).toEqual([{ path: 'modules.0', message: 'bad' }]);
  });

  it('dots the paths of a thrown ZodError (schema.parse inside a function)', async () => {
    const schema = z.object({ modules: z.array(z.object({ config: z.record(z.string(), z.number()) })) });
    const issues = await runValidator(() => {
      schema.parse(CONFIG);
    }, CONFIG);
    expect(issues).toEqual([{ path: 'modules.api.config.port', message: expect.any(String) }]);
  });

  it('turns any other throw into one whole-config issue', async () => {
    const fails = () => {
      throw new Error('no modules named "x"');
    };
    expect(await runValidator(fails, CONFIG)).toEqual([{ path: '', message: 'no modules named "x"' }]);
    expect(await runValidator(() => Promise.reject('plain text'), CONFIG)).toEqual([
      { path: '', message: 'plain text' },
    ]);
  });
});

describe('runValidator with a Standard Schema', () => {
  it('uses zod 4 through ~standard, sync and async', async () => {
    const schema = z.object({ modules: z.array(z.object({ name: z.string().min(4) })) });
    expect(await runValidator(schema, CONFIG)).toEqual([
      { path: 'modules.db.name', message: expect.any(String) },
      { path: 'modules.api.name', message: expect.any(String) },
    ]);
    const asyncSchema = z
      .object({ modules: z.array(z.unknown()) })
      .refine(async (c) => c.modules.length < 2, {
        message: 'at most one module',
        path: ['modules'],
      });
    expect(await runValidator(asyncSchema, CONFIG)).toEqual([
      { path: 'modules', message: 'at most one module' },
    ]);
    expect(await runValidator(asyncSchema, app([mod('db')]))).toEqual([]);
  });

  it('accepts any vendor, including callable schemas and path segment objects', async () => {
    const schema = Object.assign(() => true, {
      '~standard': {
        version: 1 as const,
        vendor: 'hand-made',
        validate: () => ({ issues: [{ message: 'nope', path: [{ key: 'modules' }, 0, { key: 'type' }] }] }),
      },
    }) satisfies StandardSchemaV1;
    expect(isStandardSchema(schema)).toBe(true);
    expect(await runValidator(schema, CONFIG)).toEqual([{ path: 'modules.db.type', message: 'nope' }]);
  });

  it('reports a schema whose validate throws as an issue', async () => {
    const schema: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'broken',
        validate: () => {
          throw new Error('schema bug');
        },
      },
    };
    expect(await runValidator(schema, CONFIG)).toEqual([{ path: '', message: 'schema bug' }]);
  });
});

describe('formatIssuePath', () => {
  it('joins keys and indexes with dots, and empty for the root', () => {
    expect(formatIssuePath(['modules', 2, { key: 'config' }, Symbol('s')])).toBe(
      'modules.2.config.Symbol(s)',
    );
    expect(formatIssuePath(undefined)).toBe('');
    // Given the config, a module index becomes its name (issue paths name modules); others stay.
    expect(formatIssuePath(['modules', 1, { key: 'config' }, 'ports', 0], CONFIG)).toBe(
      'modules.api.config.ports.0',
    );
    expect(formatIssuePath(['modules', 2, 'name'], CONFIG)).toBe('modules.2.name');
    expect(formatIssuePath(['modules', '1'], CONFIG)).toBe('modules.1');
    expect(formatIssuePath(['platform', 0], CONFIG)).toBe('platform.0');
    expect(formatIssuePath([])).toBe('');
  });
});

describe('isStandardSchema', () => {
  it('is false for functions and plain objects', () => {
    expect(isStandardSchema(() => [])).toBe(false);
    expect(isStandardSchema({ '~standard': {} })).toBe(false);
    expect(isStandardSchema(null)).toBe(false);
  });
});
