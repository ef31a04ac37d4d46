import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type BlockLayout, rescanConfigBlocks, scanConfigBlocks } from '../src/config-blocks.js';
import { applyEdit, baseText, step } from './config-edits.js';

const seen = { rescanned: 0, synced: 0, scannedWhole: 0 };

describe('rescanConfigBlocks (the layout of an edited text from the last one)', () => {
  afterAll(() => {
    // Worth something only if many edits were cut again from the last layout, and many synced.
    console.info('rescan outcomes', seen);
    expect(seen.rescanned).toBeGreaterThan(1_000);
    expect(seen.synced).toBeGreaterThan(200);
  });

  it('gives exactly the layout a whole scan gives, after every edit of a sequence', () => {
    fc.assert(
      fc.property(baseText, fc.array(step, { minLength: 1, maxLength: 14 }), (base, steps) => {
        const history = [base];
        let last: { text: string; layout: BlockLayout } | undefined;
        let text = base;
        const layout = scanConfigBlocks(base);
        if (layout) last = { text: base, layout };
        for (const { edit } of steps) {
          text = applyEdit(text, edit, history);
          history.push(text);
          const whole = scanConfigBlocks(text);
          const again = last && rescanConfigBlocks(last.text, last.layout, text);
          if (again) {
            seen.rescanned++;
            if (again.synced < last!.layout.starts.length) seen.synced++;
            // Whenever the rescan gives a layout, a whole scan gives the same one, states included.
            expect(again.layout, `text:\n${text}`).toEqual(whole);
          } else seen.scannedWhole++;
          if (whole) last = { text, layout: whole };
        }
      }),
      { numRuns: 800 },
    );
  });

  it('scans only around a one-module edit of a 1,000-module text', () => {
    const moduleText = (i: number, rps: number) =>
      `  - name: m${i}\n    type: t\n    config:\n      limits: { rps: ${rps} }\n`;
    const text = (rps: number) =>
      `platform:\n  region: eu\nmodules:\n${Array.from({ length: 1_000 }, (_, i) => moduleText(i, i === 500 ? rps : 1)).join('')}workflows: {}\n`;
    const before = text(100);
    const layout = scanConfigBlocks(before)!;
    const again = rescanConfigBlocks(before, layout, text(1000))!;
    expect(again.layout).toEqual(scanConfigBlocks(text(1000)));
    expect(again.scanned).toBe(1); // module 500 alone
    expect(again.kept).toBe(501); // platform and modules 0–499
    expect(again.synced).toBe(502); // modules 501–999 and workflows, moved by one character
  });
});
