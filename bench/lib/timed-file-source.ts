import { type ConfigSnapshot, FileSource, type LoadOptions } from '@cfg/source';

/** A FileSource that times each load, so a delivery can be reported beside the parse it really cost. */
export class TimedFileSource extends FileSource {
  lastLoadMs = Number.NaN;

  override async load(opts?: LoadOptions): Promise<ConfigSnapshot> {
    const start = performance.now();
    try {
      return await super.load(opts);
    } finally {
      this.lastLoadMs = performance.now() - start;
    }
  }
}
