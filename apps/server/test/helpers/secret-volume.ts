import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A Kubernetes Secret volume holding one file, as kubelet lays it out and updates it: `<file> ->
 * ..data/<file>`, `..data -> ..gen_<n>`; an update writes a new `..gen_<n+1>` folder and renames a
 * temp link over `..data`, so the file changes in one step. No vitest here: the benches use it too.
 */
export class SecretVolume {
  readonly dir: string;
  readonly file: string;
  #generation = 0;

  private constructor(dir: string, file: string) {
    this.dir = dir;
    this.file = file;
  }

  /** The volume in `dir` (created), its file holding `value`. */
  static async create(dir: string, file: string, value: string): Promise<SecretVolume> {
    const volume = new SecretVolume(dir, file);
    await mkdir(dir, { recursive: true });
    await volume.swap(value);
    await symlink(join('..data', file), join(dir, file));
    return volume;
  }

  /** The absolute path a `${file:…}` reference names. */
  get path(): string {
    return join(this.dir, this.file);
  }

  /** What kubelet does on a Secret update: a new folder, a temp link renamed over `..data`. */
  async swap(value: string): Promise<void> {
    const folder = `..gen_${++this.#generation}`;
    await mkdir(join(this.dir, folder));
    await writeFile(join(this.dir, folder, this.file), value);
    await symlink(folder, join(this.dir, '..data_tmp'));
    await rename(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (this.#generation > 1) await rm(join(this.dir, `..gen_${this.#generation - 1}`), { recursive: true });
  }
}
