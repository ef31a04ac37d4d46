/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are reference syntax. */
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigReferenceError, FileSource } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { ConfigWatcher, type ConfigWatcherOptions } from '../src/index.js';
import { Recorder, until, useFixtures } from './helpers.js';

/**
 * Secrets referenced by the config (`${file:…}`), rotated on real files under real chokidar, run once
 * per watch mode. No resync and no confirm re-hash: only the events of the referenced files' own
 * directories can make these changes arrive.
 */
export function runReferenceSuite(base: ConfigWatcherOptions): void {
  const { tempDir, track } = useFixtures();
  const eventsOnly: ConfigWatcherOptions = {
    ...base,
    debounceMs: 20,
    confirmDelayMs: 0,
    resyncIntervalMs: 0,
  };

  const configText = (reference: string) =>
    `modules:\n  - name: db\n    type: postgres\n    config:\n      password: "${reference}"\n`;
  const passwordOf = (recorder: Recorder) => recorder.last?.snapshot.config.modules[0]?.config?.password;

  /** `dir/config.yaml` and a secrets directory beside it (not the config's directory). */
  async function setup() {
    const dir = await tempDir();
    const secrets = join(dir, 'secrets');
    await mkdir(secrets);
    const file = join(dir, 'config.yaml');
    const source = new FileSource(file, { references: { fileDirs: [secrets] } });
    const recorder = new Recorder();
    const watcher = track(
      new ConfigWatcher(source, recorder.onChange, { ...eventsOnly, onError: recorder.onError }),
    );
    return { dir, secrets, file, source, recorder, watcher };
  }

  describe('ConfigWatcher and referenced files', () => {
    it('a rotated secret file is a change: delivered with its new value, in place or by rename', async () => {
      const { secrets, file, recorder, watcher } = await setup();
      const secret = join(secrets, 'password');
      await writeFile(secret, 'one');
      await writeFile(file, configText(`\${file:${secret}}`));
      await watcher.start();
      expect(watcher.referenceDirs).toEqual([secrets]);
      const initial = watcher.lastHash;

      await writeFile(secret, 'two');
      const change = await recorder.nextChange();
      expect(change.oldHash).toBe(initial);
      expect(change.snapshot.config.modules[0]!.config!.password).toBe('two');
      expect(change.snapshot.secretPaths).toEqual(['/modules/0/config/password']);

      await writeFile(`${secret}.tmp`, 'three');
      await rename(`${secret}.tmp`, secret);
      await until(() => passwordOf(recorder) === 'three');
      expect(recorder.changes.map((c) => c.snapshot.config.modules[0]!.config!.password)).toEqual([
        'two',
        'three',
      ]);
      expect(recorder.errors).toEqual([]);
    });

    it('a Kubernetes Secret volume ..data swap is a change, 3 in a row', async () => {
      const { dir, file, recorder } = await setup();
      const volume = join(dir, 'volume');
      const folder = (n: number) => join(volume, `..2026_01_0${n}`);
      await mkdir(folder(1), { recursive: true });
      await writeFile(join(folder(1), 'password'), 'v1');
      await symlink(folder(1), join(volume, '..data'));
      await symlink(join('..data', 'password'), join(volume, 'password'));
      await writeFile(file, configText(`\${file:${join(volume, 'password')}}`));
      const source = new FileSource(file, { references: { fileDirs: [volume] } });
      const watcher = track(
        new ConfigWatcher(source, recorder.onChange, { ...eventsOnly, onError: recorder.onError }),
      );
      await watcher.start();
      expect(watcher.referenceDirs).toEqual([volume]);

      for (let n = 2; n <= 4; n++) {
        // What kubelet's atomic writer does: new folder, temp link, rename over ..data, drop the old.
        await mkdir(folder(n));
        await writeFile(join(folder(n), 'password'), `v${n}`);
        await symlink(folder(n), join(volume, '..data_tmp'));
        await rename(join(volume, '..data_tmp'), join(volume, '..data'));
        await rm(folder(n - 1), { recursive: true });
        await until(() => passwordOf(recorder) === `v${n}`);
      }
      expect(recorder.changes.map((c) => c.snapshot.config.modules[0]!.config!.password)).toEqual([
        'v2',
        'v3',
        'v4',
      ]);
      expect(recorder.errors).toEqual([]);
    });

    it('follows the config: a new reference adds its directory, a dropped one removes it', async () => {
      const { dir, file, recorder, watcher } = await setup();
      await writeFile(file, configText('plain'));
      await watcher.start();
      expect(watcher.referenceDirs).toEqual([]);

      // The new directory must be allowed too: give the source room for it.
      const other = join(dir, 'secrets', 'other');
      await mkdir(other);
      const secret = join(other, 'token');
      await writeFile(secret, 't1');
      await writeFile(file, configText(`\${file:${secret}}`));
      await until(() => passwordOf(recorder) === 't1');
      await until(() => watcher.referenceDirs.join() === other);
      await writeFile(secret, 't2');
      await until(() => passwordOf(recorder) === 't2');

      await writeFile(file, configText('plain again'));
      await until(() => passwordOf(recorder) === 'plain again');
      await until(() => watcher.referenceDirs.length === 0);
      expect(recorder.errors).toEqual([]);
    });

    it('a missing secret is reported once, the last good config stays, and its arrival is delivered', async () => {
      const { secrets, file, recorder, watcher } = await setup();
      await writeFile(join(secrets, 'old'), 'old');
      await writeFile(file, configText(`\${file:${join(secrets, 'old')}}`));
      await watcher.start();
      const good = watcher.lastHash;

      const later = join(secrets, 'later');
      await writeFile(file, configText(`\${file:${later}}`));
      const error = await recorder.nextError();
      expect(error).toBeInstanceOf(ConfigReferenceError);
      expect(error).toMatchObject({ code: 'CFG_PARSE', file, line: 5 });
      expect(error.message).toContain(`${later} does not exist`);
      expect(watcher.lastHash).toBe(good);
      expect(recorder.changes).toEqual([]);

      await writeFile(later, 'arrived');
      await until(() => passwordOf(recorder) === 'arrived');
      expect(recorder.errors).toHaveLength(1);
    });
  });
}
