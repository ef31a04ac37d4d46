/**
 * Property suite for `IncrementalParser`: along random edit sequences on generated and real-world
 * configs, every result equals a full `parseConfig` of the same text — the same value (key order
 * included), or the same `ConfigParseError` (`file:line:column` and message). The edits merge,
 * split, move, copy and re-indent lines and blocks, insert and delete modules and sections, add
 * comments, blank lines, hostile characters and YAML syntax that ties blocks together, break the
 * text and bring earlier texts back. Counters check that most valid texts really went through the
 * block path, so the suite cannot pass by always parsing whole.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type AppConfig, type IncrementalParseResult, IncrementalParser, parseConfig } from '../src/index.js';
import { applyEdit, baseText, type Step, step } from './config-edits.js';

const FILE = 'edited.yaml';

type Outcome =
  | { config: AppConfig; mode?: IncrementalParseResult['mode']; reused?: number }
  | { error: Error };

function fullParse(text: string): Outcome {
  try {
    return { config: parseConfig(text, { filename: FILE }) };
  } catch (error) {
    return { error: error as Error };
  }
}

function incrementalParse(parser: IncrementalParser, text: string): Outcome {
  try {
    const { config, mode, blocksReused } = parser.parse(text);
    return { config, mode, reused: blocksReused };
  } catch (error) {
    return { error: error as Error };
  }
}

/** What the runs went through, so the suite can show it exercised the block path. */
const seen = { blocksWithReuse: 0, blocks: 0, full: 0, unchanged: 0, errors: 0 };
const baseOutcomes = { ok: 0, error: 0 };

function expectSameOutcome(incremental: Outcome, full: Outcome, text: string): void {
  const context = `text:\n${text}`;
  if ('error' in full) {
    seen.errors++;
    expect('error' in incremental, `the full parse refused, the incremental one did not\n${context}`).toBe(
      true,
    );
    const error = (incremental as { error: Error }).error;
    expect(error.constructor, context).toBe(full.error.constructor);
    expect(error.message, context).toBe(full.error.message);
    expect({ ...error }, context).toEqual({ ...full.error });
    return;
  }
  if ('error' in incremental) {
    expect.fail(`the incremental parse refused: ${incremental.error.message}\n${context}`);
  }
  const { config, mode, reused } = incremental as { config: AppConfig; mode: string; reused: number };
  expect(JSON.stringify(config), context).toBe(JSON.stringify(full.config)); // key order included
  expect(config, context).toStrictEqual(full.config);
  if (mode === 'blocks') {
    seen.blocks++;
    if (reused > 0) seen.blocksWithReuse++;
  } else if (mode === 'full') seen.full++;
  else seen.unchanged++;
}

describe('IncrementalParser against full parses', () => {
  afterAll(() => {
    // The suite is only worth something if it went through the block path, reuse included, and
    // met the fallbacks and refusals too. Printed, and held to a floor.
    console.info('incremental fuzz outcomes', seen, baseOutcomes);
    const valid = seen.blocks + seen.full + seen.unchanged;
    expect(seen.blocksWithReuse / valid).toBeGreaterThan(0.35);
    expect(seen.full).toBeGreaterThan(100);
    expect(seen.errors).toBeGreaterThan(500);
  });

  it('gives the full parse result or error after every edit of a sequence', async () => {
    await fc.assert(
      fc.asyncProperty(baseText, fc.array(step, { minLength: 1, maxLength: 14 }), (base, steps) => {
        const parser = new IncrementalParser({ filename: FILE });
        return checkSequence(base, steps, (text) => incrementalParse(parser, text));
      }),
      { numRuns: 600 },
    );
  });

  it('does the same through parseAsync, large changes parsed in a worker', async () => {
    // A low threshold sends most first loads and larger edits to a worker, small edits not.
    await fc.assert(
      fc.asyncProperty(baseText, fc.array(step, { minLength: 1, maxLength: 4 }), (base, steps) => {
        const parser = new IncrementalParser({ filename: FILE, workerThresholdBytes: 300 });
        return checkSequence(base, steps, async (text) => {
          try {
            const { config, mode, blocksReused } = await parser.parseAsync(text);
            return { config, mode, reused: blocksReused };
          } catch (error) {
            return { error: error as Error };
          }
        });
      }),
      { numRuns: 12 },
    );
  });
});

/**
 * Parses `base` and then the text after each step, comparing each outcome with a full parse. A
 * step marked `fix` that broke the text puts the last valid text back before the next step.
 */
async function checkSequence(
  base: string,
  steps: readonly Step[],
  parse: (text: string) => Outcome | Promise<Outcome>,
): Promise<void> {
  const history = [base];
  const first = fullParse(base);
  baseOutcomes['error' in first ? 'error' : 'ok']++;
  expectSameOutcome(await parse(base), first, base);
  let text = base;
  let lastValid = 'error' in first ? undefined : base;
  for (const { edit, fix } of steps) {
    text = applyEdit(text, edit, history);
    history.push(text);
    const full = fullParse(text);
    expectSameOutcome(await parse(text), full, text);
    if (!('error' in full)) lastValid = text;
    else if (fix && lastValid !== undefined) text = lastValid;
  }
}
