// Preloaded with `NODE_OPTIONS=--require …` (Node 20 refuses `--cpu-prof` there): profiles the
// process with the inspector's Profiler from its first SIGUSR2 (so the start-up can be left out)
// and writes `<CFG_CPU_PROF_DIR>/<pid>.cpuprofile` at exit.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.CFG_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 100 });
  let started = false;
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    session.post('Profiler.start');
  });
  process.once('exit', () => {
    if (!started) return;
    // A session on the main thread answers synchronously.
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
