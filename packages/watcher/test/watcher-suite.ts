import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, open, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigParseError, FileSource } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { WRITE_BLOCK_BYTES } from '../src/config-watcher.js';
import { ConfigWatcher, type ConfigWatcherOptions } from '../src/index.js';
import { CountingFileSource, configText, hashOf, Recorder, until, useFixtures, WAIT_MS } from './helpers.js';

const EXIT_FIXTURE = fileURLToPath(new URL('./fixtures/start-stop-exit.mjs', import.meta.url));

/**
 * The ConfigWatcher suite on real temp files and real chokidar, run once per watch mode
 * (native `fs.watch`, and polling), as chokidar runs its own suite.
 */
export function runWatcherSuite(base: ConfigWatcherOptions): void {
  const { tempDir, track } = useFixtures();

  /** A config file with revision 0 and a started watcher on it. */
  async function setup(opts: ConfigWatcherOptions = {}, recorder = new Recorder()) {
    const dir = await tempDir();
    const file = join(dir, 'config.yaml');
    await writeFile(file, configText(0));
    const source = new CountingFileSource(file);
    const watcher = track(
      new ConfigWatcher(source, recorder.onChange, {
        ...base,
        onError: recorder.onError,
        ...opts,
      }),
    );
    await watcher.start();
    return { dir, file, source, watcher, recorder };
  }

  /**
   * Writes a new revision and waits for it. Changes are delivered in order, so once it arrives,
   * anything the writes before it caused has been delivered too: it proves absences without sleeping.
   */
  async function barrier(file: string, recorder: Recorder, revision: number): Promise<void> {
    const text = configText(revision);
    await writeFile(file, text);
    await recorder.changeTo(text);
  }

  describe('ConfigWatcher', () => {
    it('1. delivers a plain write once, with the new config and both hashes', async () => {
      const { file, watcher, recorder } = await setup();
      const initial = watcher.lastHash;
      expect(initial).toBe(hashOf(configText(0)));

      await writeFile(file, configText(1));
      const change = await recorder.nextChange();
      expect(change.oldHash).toBe(initial);
      expect(change.newHash).toBe(hashOf(configText(1)));
      expect(change.newHash).not.toBe(change.oldHash);
      expect(change.snapshot.hash).toBe(change.newHash);
      expect(change.snapshot.config.revision).toBe(1);
      expect(change.source).toBe(`file:${file}`);
      expect(watcher.lastHash).toBe(change.newHash);

      await barrier(file, recorder, 2);
      expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual([1, 2]);
      expect(recorder.errors).toEqual([]);
      expect(watcher.stats).toMatchObject({ changes: 2, errors: 0 });
    });

    it('2. ignores the same bytes written again', async () => {
      const { file, source, recorder } = await setup({ debounceMs: 20 });
      const reads = source.hashReads;
      await writeFile(file, configText(0));
      await until(() => source.hashReads > reads);

      await barrier(file, recorder, 1);
      expect(recorder.changes).toHaveLength(1);
      expect(recorder.changes[0]!.oldHash).toBe(hashOf(configText(0)));
    });

    it('3. coalesces 5 writes within the debounce into one change carrying the last', async () => {
      const { file, recorder } = await setup({ debounceMs: 300 });
      for (let revision = 1; revision <= 5; revision++) await writeFile(file, configText(revision));
      const change = await recorder.nextChange();
      expect(change.snapshot.config.revision).toBe(5);

      await barrier(file, recorder, 6);
      expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual([5, 6]);
    });

    it('4. detects vim-style saves (swap file, write a copy, rename over), 10 in a row', async () => {
      const { dir, file, recorder } = await setup({ debounceMs: 20 });
      for (let revision = 1; revision <= 10; revision++) {
        const swap = join(dir, '.config.yaml.swp');
        const copy = join(dir, 'config.yaml~');
        await writeFile(swap, 'vim swap');
        await writeFile(copy, configText(revision));
        await rename(copy, file);
        await unlink(swap);
        const change = await recorder.changeTo(configText(revision));
        expect(change.snapshot.config.revision).toBe(revision);
      }
      expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      ]);
      expect(recorder.errors).toEqual([]);
    });

    it('5. detects Kubernetes ConfigMap swaps of the ..data symlink, 5 in a row', async () => {
      const dir = await tempDir();
      const file = join(dir, 'config.yaml');
      const folder = (n: number) => `..2026_01_0${n}`;
      await mkdir(join(dir, folder(1)));
      await writeFile(join(dir, folder(1), 'config.yaml'), configText(1));
      await symlink(folder(1), join(dir, '..data'));
      await symlink(join('..data', 'config.yaml'), file);
      const recorder = new Recorder();
      const watcher = track(
        new ConfigWatcher(new FileSource(file), recorder.onChange, {
          ...base,
          debounceMs: 20,
          onError: recorder.onError,
        }),
      );
      await watcher.start();
      expect(watcher.lastHash).toBe(hashOf(configText(1)));

      for (let n = 2; n <= 6; n++) {
        // What kubelet's atomic writer does: new folder, temp link, rename over ..data, drop the old.
        await mkdir(join(dir, folder(n)));
        await writeFile(join(dir, folder(n), 'config.yaml'), configText(n));
        await symlink(folder(n), join(dir, '..data_tmp'));
        await rename(join(dir, '..data_tmp'), join(dir, '..data'));
        await rm(join(dir, folder(n - 1)), { recursive: true });
        const change = await recorder.changeTo(configText(n));
        expect(change.snapshot.config.revision).toBe(n);
      }
      expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual([2, 3, 4, 5, 6]);
      expect(recorder.errors).toEqual([]);
    });

    it('6. a brief delete is no error; a lasting one is reported once, then recovers', async () => {
      const { dir, file, source, recorder } = await setup({ debounceMs: 200 });

      // Deleted and re-created within the debounce: one change, no error.
      await unlink(file);
      await writeFile(file, configText(1));
      await recorder.changeTo(configText(1));
      // Again with the same content: no change at all.
      let reads = source.hashReads;
      await unlink(file);
      await writeFile(file, configText(1));
      await until(() => source.hashReads > reads);
      await barrier(file, recorder, 2);
      expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual([1, 2]);
      expect(recorder.errors).toEqual([]);

      // Missing for longer: one error, however many checks find it missing.
      await unlink(file);
      const error = await recorder.nextError();
      expect(error).toMatchObject({ name: 'ConfigNotFoundError', code: 'CFG_NOT_FOUND' });
      reads = source.hashReads;
      await mkdir(join(dir, '..unrelated')); // an event that schedules another check
      // The confirm after the error reads once; that check reads twice (again after the grace).
      await until(() => source.hashReads >= reads + 3);
      expect(recorder.errors).toHaveLength(1);

      await writeFile(file, configText(3));
      const change = await recorder.changeTo(configText(3));
      expect(change.oldHash).toBe(hashOf(configText(2)));
      expect(recorder.errors).toHaveLength(1);
    });

    it('6b. at debounce 0, a file re-created 20 ms after its delete is still no error', async () => {
      const { file, recorder } = await setup({ debounceMs: 0 });
      for (let revision = 1; revision <= 3; revision++) {
        await unlink(file);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await writeFile(file, configText(revision));
        await recorder.changeTo(configText(revision));
      }
      expect(recorder.errors).toEqual([]);
    });

    it('7. reports bad YAML once with line and column, and delivers the fix', async () => {
      const { file, source, watcher, recorder } = await setup({ debounceMs: 20 });
      const bad = 'modules:\n  - name: a\n    type: [unclosed\n';
      await writeFile(file, bad);
      const error = await recorder.nextError();
      expect(error).toBeInstanceOf(ConfigParseError);
      expect(error).toMatchObject({ code: 'CFG_PARSE', file });
      expect((error as ConfigParseError).line).toBeGreaterThan(0);
      expect((error as ConfigParseError).column).toBeGreaterThan(0);
      expect(watcher.lastHash).toBe(hashOf(configText(0)));

      // The same bad bytes again: checked (one read: the stat taken at the event shows they held
      // still), not reported again.
      const reads = source.hashReads;
      await writeFile(file, bad);
      await until(() => source.hashReads >= reads + 1);
      expect(recorder.errors).toHaveLength(1);

      await writeFile(file, configText(1));
      const change = await recorder.changeTo(configText(1));
      expect(change.oldHash).toBe(hashOf(configText(0)));
      expect(recorder.changes).toHaveLength(1);
      expect(recorder.errors).toHaveLength(1);
    });

    it('8. ignores other files in the directory', async () => {
      const { dir, file, watcher, recorder } = await setup({ debounceMs: 0 });
      for (let i = 0; i < 10; i++) {
        await writeFile(join(dir, 'other.yaml'), configText(100 + i));
        await writeFile(join(dir, 'notes.txt'), `note ${i}`);
      }
      await barrier(file, recorder, 1);
      expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual([1]);
      // 20 unrelated writes with no debounce would mean ~20 checks if they counted.
      expect(watcher.stats.checks).toBeLessThan(5);
    });

    it('9. stress: after 1,000 fast writes the last delivered is the last written (3 runs)', async () => {
      for (const debounceMs of [0, 20, 100]) {
        const recorder = new Recorder();
        const { file, watcher } = await setup({ debounceMs }, recorder);
        let last = '';
        for (let revision = 1; revision <= 1000; revision++) {
          last = configText(revision, 1 + (revision % 7));
          await writeFile(file, last);
        }
        await until(() => recorder.last?.newHash === hashOf(last));
        expect(watcher.lastHash).toBe(hashOf(last));
        // Never out of order, never a half-written file.
        const revisions = recorder.changes.map((c) => c.snapshot.config.revision as number);
        expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
        expect(new Set(revisions).size).toBe(revisions.length);
        for (const { snapshot } of recorder.changes) {
          expect(snapshot.config.modules).toHaveLength(1 + ((snapshot.config.revision as number) % 7));
        }
        await watcher.stop();
      }
    });

    it('10. a slow onChange is never overlapped, and the final state arrives', async () => {
      let running = 0;
      let overlapped = false;
      const recorder = new Recorder(async () => {
        running++;
        if (running > 1) overlapped = true;
        await new Promise((resolve) => setTimeout(resolve, 200));
        running--;
      });
      const { file, watcher } = await setup({ debounceMs: 0 }, recorder);
      for (let revision = 1; revision <= 20; revision++) {
        await writeFile(file, configText(revision));
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      await recorder.changeTo(configText(20));
      expect(overlapped).toBe(false);
      expect(watcher.lastHash).toBe(hashOf(configText(20)));
      // Writes during a delivery coalesced: far fewer deliveries than writes, still in order.
      const revisions = recorder.changes.map((c) => c.snapshot.config.revision as number);
      expect(revisions.length).toBeLessThan(20);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    });

    it('13. saves 20 ms after the previous delivery all arrive at debounce 0 (chokidar drops such events)', async () => {
      const { file, recorder } = await setup({ debounceMs: 0 });
      for (let revision = 1; revision <= 10; revision++) {
        await writeFile(file, configText(revision));
        await recorder.changeTo(configText(revision));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      ]);
    });

    it('14. with alwaysSettle, never delivers a half-written file, even one that parses', async () => {
      const { file, recorder } = await setup({ debounceMs: 0, settleMs: 50, alwaysSettle: true });
      for (let revision = 1; revision <= 3; revision++) {
        // The first half ends on a module boundary: valid YAML with 10 of the 20 modules.
        const text = configText(revision, 20);
        const half = text.split('  - name: m10')[0]!;
        const handle = await open(file, 'w');
        await handle.write(half);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await handle.write(text.slice(half.length));
        await handle.close();
        await recorder.changeTo(text);
      }
      for (const { snapshot } of recorder.changes) expect(snapshot.config.modules).toHaveLength(20);
    });

    it('14b. bytes complete at the event cost no settle wait (a generous ceiling, not a timing claim)', async () => {
      // settleMs is far beyond the ceiling: a save that waited for it could not be delivered in time.
      const { file, recorder } = await setup({ debounceMs: 0, settleMs: 20_000 });
      const text = configText(1);
      const savedAt = performance.now();
      await writeFile(file, text);
      await recorder.changeTo(text);
      expect(performance.now() - savedAt).toBeLessThan(10_000);
    });

    it('14c. a big file written in chunks, as Node writeFile does, is never delivered half-way', async () => {
      // A settle long beside the writer's pause: what matters is that a big file settles at all.
      const { file, recorder } = await setup({ debounceMs: 0, settleMs: 200 });
      for (let revision = 1; revision <= 2; revision++) {
        // The first chunk is Node's 512 KiB and ends on a module boundary (a comment pads it): it parses.
        const text = configText(revision, 12_000);
        const chunk = 128 * WRITE_BLOCK_BYTES;
        const cut = text.lastIndexOf('\n  - name: ', chunk - 100) + 1;
        const first = `${text.slice(0, cut)}${'#'.repeat(chunk - cut - 1)}\n`;
        const handle = await open(file, 'w');
        await handle.write(first);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await handle.write(text.slice(cut));
        await handle.close();
        await recorder.changeTo(first + text.slice(cut));
      }
      for (const { snapshot } of recorder.changes) expect(snapshot.config.modules).toHaveLength(12_000);
    });

    it('14d. a small file written in 8 KiB blocks with a pause between them (as vim writes) is never delivered half-way', async () => {
      const { file, recorder } = await setup({ debounceMs: 0, settleMs: 200 });
      for (let revision = 1; revision <= 2; revision++) {
        // The first block ends on a module boundary (a comment pads it): alone, it parses.
        const text = configText(revision, 400);
        const block = 2 * WRITE_BLOCK_BYTES;
        const cut = text.lastIndexOf('\n  - name: ', block - 100) + 1;
        const first = `${text.slice(0, cut)}${'#'.repeat(block - cut - 1)}\n`;
        const handle = await open(file, 'w');
        await handle.write(first);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await handle.write(text.slice(cut));
        await handle.close();
        await recorder.changeTo(first + text.slice(cut));
      }
      for (const { snapshot } of recorder.changes) expect(snapshot.config.modules).toHaveLength(400);
    });

    it('14e. a big file written in chunks is delivered when its short last chunk lands, not settleMs later (a generous ceiling)', async () => {
      // settleMs is far beyond the ceiling: only the second chunk's event can end the first chunk's settle.
      const { file, recorder } = await setup({ debounceMs: 0, settleMs: 20_000 });
      let text = configText(1, 12_000);
      if (Buffer.byteLength(text) % WRITE_BLOCK_BYTES === 0) text += '#\n';
      const chunk = 128 * WRITE_BLOCK_BYTES;
      const savedAt = performance.now();
      const handle = await open(file, 'w');
      await handle.write(text.slice(0, chunk));
      await new Promise((resolve) => setTimeout(resolve, 5));
      await handle.write(text.slice(chunk));
      await handle.close();
      await recorder.changeTo(text);
      expect(performance.now() - savedAt).toBeLessThan(10_000);
      expect(recorder.changes).toHaveLength(1);
    });

    it('11. stop() inside onChange and stop() twice: nothing more is delivered', async () => {
      const dir = await tempDir();
      const file = join(dir, 'config.yaml');
      await writeFile(file, configText(0));
      const source = new FileSource(file);
      const watcher: ConfigWatcher = new ConfigWatcher(
        source,
        async () => {
          const first = watcher.stop();
          expect(watcher.stop()).toBe(first);
          await first;
          stopped++;
        },
        { ...base, debounceMs: 0 },
      );
      let stopped = 0;
      await watcher.start();
      await writeFile(file, configText(1));
      await until(() => stopped === 1);
      expect(watcher.stats.changes).toBe(1);

      // A second watcher on the same file proves the next write was seen, and the first ignored it.
      const witness = new Recorder();
      const other = track(new ConfigWatcher(source, witness.onChange, { ...base, debounceMs: 0 }));
      await other.start();
      await writeFile(file, configText(2));
      await witness.changeTo(configText(2));
      expect(watcher.stats.changes).toBe(1);
      expect(watcher.lastHash).toBe(hashOf(configText(1)));
      await expect(watcher.start()).rejects.toMatchObject({ code: 'CFG_WATCH_STOPPED' });
    });

    it('11. after stop() the process exits by itself (no open handles; needs a build)', async () => {
      const dir = await tempDir();
      const file = join(dir, 'config.yaml');
      await writeFile(file, configText(0));
      const child = spawn(process.execPath, [EXIT_FIXTURE, file, JSON.stringify(base)], { stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const kill = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
      const [code, signal] = await once(child, 'exit');
      clearTimeout(kill);
      expect({ code, signal, stdout, stderr }).toEqual({
        code: 0,
        signal: null,
        stdout: 'stopped\n',
        stderr: '',
      });
    });

    it('start() rejects with CFG_WATCH_START when the directory does not exist', async () => {
      const dir = await tempDir();
      const watcher = track(
        new ConfigWatcher(new FileSource(join(dir, 'missing', 'config.yaml')), () => {}, base),
      );
      await expect(watcher.start()).rejects.toMatchObject({
        code: 'CFG_WATCH_START',
        cause: { code: 'ENOENT' },
      });
    });

    it('delivers a change made before start() when given the initial hash', async () => {
      const dir = await tempDir();
      const file = join(dir, 'config.yaml');
      await writeFile(file, configText(1));
      const recorder = new Recorder();
      const watcher = track(
        new ConfigWatcher(new FileSource(file), recorder.onChange, {
          ...base,
          initialHash: hashOf(configText(0)),
        }),
      );
      await watcher.start();
      const change = await recorder.changeTo(configText(1));
      expect(change.oldHash).toBe(hashOf(configText(0)));
    });

    it('follows a config that is a symlink to another file in the same directory', async () => {
      const dir = await tempDir();
      const file = join(dir, 'config.yaml');
      await writeFile(join(dir, 'real.yaml'), configText(0));
      await symlink('real.yaml', file);
      const recorder = new Recorder();
      const watcher = track(
        new ConfigWatcher(new FileSource(file), recorder.onChange, { ...base, debounceMs: 0 }),
      );
      await watcher.start();
      // Replaced by rename: only real.yaml's directory entry changes.
      await writeFile(join(dir, 'real.yaml.tmp'), configText(1));
      await rename(join(dir, 'real.yaml.tmp'), join(dir, 'real.yaml'));
      const change = await recorder.changeTo(configText(1));
      expect(change.snapshot.config.revision).toBe(1);
    });
  });
}
