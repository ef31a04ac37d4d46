import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { describeError, EXIT, exitCodeFor } from '../../src/cli/exit.js';
import { UsageError } from '../../src/serve/options.js';

describe('exit codes and messages', () => {
  it('one code per class: usage 2, failure 1, help and version 0', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(EXIT.usage);
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownOption', 'x'))).toBe(EXIT.usage);
    expect(exitCodeFor(new CommanderError(0, 'commander.version', '0.1.0'))).toBe(EXIT.ok);
    expect(exitCodeFor(new Error('database down'))).toBe(EXIT.failure);
  });

  it('a file system error names the file and, when relative, where it was looked for', () => {
    const missing = Object.assign(new Error("ENOENT: no such file or directory, open 'cfg.yaml'"), {
      code: 'ENOENT',
      path: 'cfg.yaml',
    });
    expect(describeError(missing, '/srv/app')).toBe('cfg.yaml: no such file (looked in /srv/app)');
    expect(describeError(Object.assign(new Error('x'), { code: 'EISDIR', path: '/etc' }))).toBe(
      '/etc: is a directory, not a file',
    );
    expect(describeError(new Error('plain'))).toBe('plain');
  });
});
