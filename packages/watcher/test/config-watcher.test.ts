import { runReferenceSuite } from './reference-suite.js';
import { runWatcherSuite } from './watcher-suite.js';

// Native mode: chokidar on fs.watch.
runWatcherSuite({});
runReferenceSuite({});
