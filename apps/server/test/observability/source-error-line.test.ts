import { ConfigNotFoundError, parseConfig } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { sourceErrorLine } from '../../src/observability/source-error-line.js';

describe('sourceErrorLine', () => {
  it('a config that does not parse is "config rejected: file:line:col …", not a watcher error', () => {
    let parseError: Error | undefined;
    try {
      parseConfig('modules:\n  - name: a\n    type: [unclosed\n', { filename: 'config.yaml' });
    } catch (error) {
      parseError = error as Error;
    }
    expect(sourceErrorLine('watcher', parseError!)).toMatch(
      /^config rejected: config\.yaml:\d+:\d+: .*; still serving the last good config$/,
    );
  });

  it("other errors stay the source's own", () => {
    const line = sourceErrorLine('poller', new ConfigNotFoundError('no document "app"', 'app'));
    expect(line).toMatch(/^poller error: .*; still serving the last good config$/);
  });
});
