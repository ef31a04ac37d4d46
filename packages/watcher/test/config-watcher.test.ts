import { runWatcherSuite } from './watcher-suite.js';

// Native mode: chokidar on fs.watch.
runWatcherSuite({});
