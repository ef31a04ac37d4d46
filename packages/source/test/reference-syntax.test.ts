/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are reference syntax. */
import { describe, expect, it } from 'vitest';
import { parseReferenceString } from '../src/references/syntax.js';

describe('parseReferenceString', () => {
  it('reads a whole-value reference, with and without a default', () => {
    expect(parseReferenceString('${env:DB_PASSWORD}')).toEqual({
      ok: true,
      references: 1,
      parts: [{ target: { kind: 'env', name: 'DB_PASSWORD' }, raw: '${env:DB_PASSWORD}' }],
    });
    expect(parseReferenceString('${env:PORT:-8080}')).toMatchObject({
      parts: [{ target: { kind: 'env', name: 'PORT' }, fallback: '8080' }],
    });
    expect(parseReferenceString('${env:EMPTY:-}')).toMatchObject({ parts: [{ fallback: '' }] });
    // A default may hold colons and dashes; it ends at the first `}`.
    expect(parseReferenceString('${env:URL:-http://a:1/b-c}')).toMatchObject({
      parts: [{ fallback: 'http://a:1/b-c' }],
    });
    expect(parseReferenceString('${file:/run/secrets/db}')).toMatchObject({
      parts: [{ target: { kind: 'file', path: '/run/secrets/db' } }],
    });
  });

  it('reads references embedded in a longer string, keeping the text around them', () => {
    expect(parseReferenceString('postgres://app:${env:PW}@db:5432/${env:DB:-app}?x=1')).toEqual({
      ok: true,
      references: 2,
      parts: [
        'postgres://app:',
        { target: { kind: 'env', name: 'PW' }, raw: '${env:PW}' },
        '@db:5432/',
        { target: { kind: 'env', name: 'DB' }, fallback: 'app', raw: '${env:DB:-app}' },
        '?x=1',
      ],
    });
  });

  it('reads `$${` as a literal `${`, and leaves every other `$` alone', () => {
    expect(parseReferenceString('cost: $5, template: $${name}')).toEqual({
      ok: true,
      references: 0,
      parts: ['cost: $5, template: ${name}'],
    });
    expect(parseReferenceString('$$${env:A}')).toEqual({ ok: true, references: 0, parts: ['$${env:A}'] });
    expect(parseReferenceString('$${env:A}${env:B}')).toMatchObject({
      references: 1,
      parts: ['${env:A}', { target: { kind: 'env', name: 'B' } }],
    });
    expect(parseReferenceString('a $$ b }')).toEqual({ ok: true, references: 0, parts: ['a $$ b }'] });
  });

  it('refuses anything else that starts with `${`, saying how to write a literal one', () => {
    const reasons = [
      '${HOME}',
      '${evn:X}',
      'a ${env:X',
      '${env:1X}',
      '${env:}',
      '${file:relative/x}',
      '${env:A:-${env:B}}',
    ].map((value) => {
      const parsed = parseReferenceString(value);
      if (parsed.ok) throw new Error(`${value} parsed`);
      return [parsed.raw, parsed.reason];
    });
    expect(reasons).toEqual([
      [
        '${HOME}',
        'not a reference: write ${env:NAME}, ${env:NAME:-default} or ${file:/absolute/path}; for a literal `${` write `$${`',
      ],
      [
        '${evn:X}',
        'not a reference: write ${env:NAME}, ${env:NAME:-default} or ${file:/absolute/path}; for a literal `${` write `$${`',
      ],
      ['${env:X', '`${` without a closing `}`; for a literal `${` write `$${`'],
      [
        '${env:1X}',
        '`1X` is not an environment variable name (letters, digits and _, not starting with a digit)',
      ],
      [
        '${env:}',
        '`` is not an environment variable name (letters, digits and _, not starting with a digit)',
      ],
      ['${file:relative/x}', 'file references take an absolute path, not `relative/x`'],
      ['${env:A:-${env:B}', 'a reference cannot contain another one; for a literal `${` write `$${`'],
    ]);
  });
});
