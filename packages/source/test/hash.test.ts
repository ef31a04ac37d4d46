import { describe, expect, it } from 'vitest';
import { canonicalJson, hashBytes, hashConfig, parseConfig } from '../src/index.js';

describe('hashing', () => {
  it('hashBytes is SHA-256 hex of the UTF-8 bytes', () => {
    expect(hashBytes('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashBytes('é')).toBe(hashBytes(new TextEncoder().encode('é')));
  });

  it('hashConfig ignores key order at every level, but not array order', () => {
    const a = { modules: [{ name: 'a', type: 't', config: { x: 1, y: { p: 1, q: 2 } } }], z: 1 };
    const b = { z: 1, modules: [{ config: { y: { q: 2, p: 1 }, x: 1 }, type: 't', name: 'a' }] };
    expect(hashConfig(a)).toBe(hashConfig(b));
    expect(canonicalJson(b)).toBe(
      '{"modules":[{"config":{"x":1,"y":{"p":1,"q":2}},"name":"a","type":"t"}],"z":1}',
    );
    expect(hashConfig({ l: [1, 2] })).not.toBe(hashConfig({ l: [2, 1] }));
  });

  it('the same content written with keys reordered hashes equal under hashConfig', () => {
    const one = parseConfig(
      'modules:\n  - name: a\n    type: t\n    config: {x: 1, y: 2}\nplatform: {r: eu}\n',
      {
        filename: 'one.yaml',
      },
    );
    const two = parseConfig(
      '{"platform": {"r": "eu"}, "modules": [{"config": {"y": 2, "x": 1}, "type": "t", "name": "a"}]}',
      {
        filename: 'two.json',
      },
    );
    expect(hashConfig(one)).toBe(hashConfig(two));
  });
});

describe('hashing odd keys', () => {
  it('an own __proto__ key is hashed as data, not dropped', () => {
    const withProto = JSON.parse('{"modules": [], "__proto__": {"x": 1}}');
    expect(canonicalJson(withProto)).toBe('{"__proto__":{"x":1},"modules":[]}');
    expect(hashConfig(withProto)).not.toBe(hashConfig({ modules: [] }));
  });
});
