import { describe, expect, it } from 'vitest';
import { hashConfig } from '../src/hash.js';
import type { ConfigSource } from '../src/types.js';

export interface SourceContractOptions<S extends ConfigSource> {
  /** A fresh source over some valid config. */
  make: () => S | Promise<S>;
  /** Changes the source's content to a config that differs from the current one. */
  change: (source: S) => void | Promise<void>;
  /** The expected `name`. */
  name: RegExp;
}

/** The behaviour every `ConfigSource` promises (unstorage's `testDriver` idea). */
export function testSource<S extends ConfigSource>({ make, change, name }: SourceContractOptions<S>): void {
  describe('ConfigSource contract', () => {
    it('has a name of the documented form, and snapshots carry it', async () => {
      const source = await make();
      expect(source.name).toMatch(name);
      const snapshot = await source.load();
      expect(snapshot.source).toBe(source.name);
      expect(snapshot.loadedAt).toBeInstanceOf(Date);
      expect(snapshot.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('hash() equals load().hash and is stable', async () => {
      const source = await make();
      const first = await source.hash();
      expect(await source.hash()).toBe(first);
      expect((await source.load()).hash).toBe(first);
      expect(await source.hash()).toBe(first);
    });

    it('a change gives a new hash, and load() returns the new config with it', async () => {
      const source = await make();
      const before = await source.load();
      await change(source);
      const after = await source.load();
      expect(after.hash).not.toBe(before.hash);
      expect(hashConfig(after.config)).not.toBe(hashConfig(before.config));
      expect(await source.hash()).toBe(after.hash);
    });

    it('an aborted signal rejects load() and hash()', async () => {
      const source = await make();
      const signal = AbortSignal.abort();
      await expect(source.load({ signal })).rejects.toMatchObject({ name: 'AbortError' });
      await expect(source.hash({ signal })).rejects.toMatchObject({ name: 'AbortError' });
    });
  });
}
