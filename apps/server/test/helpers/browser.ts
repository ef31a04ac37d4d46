/**
 * A real Chromium for the console tests and the screenshot script (no vitest here): Debian's
 * `chromium` driven by playwright-core, in a fresh profile directory, headless.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** `CFG_CHROMIUM` or Debian's binary (`.ci/run` installs it when missing). */
export const CHROMIUM = process.env.CFG_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that work in a container as root: no sandbox, no GPU, nothing that phones home. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a new, empty profile; `close()` stops it and deletes the profile. */
export async function launchBrowser(opts: { width?: number; height?: number } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CFG_CHROMIUM)`);
  const profile = await mkdtemp(join(tmpdir(), 'cfg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}
