import { runReferenceSuite } from './reference-suite.js';
import { runWatcherSuite } from './watcher-suite.js';

// Polling mode: chokidar on fs.watchFile every 10 ms (network and some container file systems).
runWatcherSuite({ usePolling: true, pollIntervalMs: 10 });
runReferenceSuite({ usePolling: true, pollIntervalMs: 10 });
