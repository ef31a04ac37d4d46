/** Turns of a 5 ms interval while `work` runs: 0 when it holds the event loop (or never leaves it). */
export async function ticksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

/** Message ports of live workers; none may be left once a parse settled. */
export const workerPorts = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
