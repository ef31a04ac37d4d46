-- The fleet: which processes follow a document, and what each did with every version it handled.
-- `:CFG_SCHEMA` is replaced by the quoted schema name. Forward-only: add 000003.sql for changes.

-- One row per process, upserted: written at start, on every outcome and by the heartbeat. An
-- instance is live while `expires_at` is in the future and it has not stopped; a crashed one simply
-- expires. `version`/`hash` are what it runs, `applied_at` since when; `last_*` its newest outcome.
create table :CFG_SCHEMA.instances (
  id text primary key,
  key text not null,
  host text not null,
  pid integer not null,
  mode text not null,
  labels jsonb not null default '{}',
  started_at timestamptz not null,
  heartbeat_at timestamptz not null default now(),
  expires_at timestamptz not null,
  stopped_at timestamptz,
  version integer,
  hash text,
  applied_at timestamptz,
  last_version integer,
  last_outcome text,
  last_error_code text,
  last_at timestamptz,
  constraint instances_id_format check (id ~ '^[A-Za-z0-9._:-]{1,100}$'),
  constraint instances_key_format check (key ~ '^[A-Za-z0-9._/-]{1,200}$'),
  constraint instances_labels_object check (jsonb_typeof(labels) = 'object')
);
create index instances_key_expires on :CFG_SCHEMA.instances (key, expires_at);

-- What each instance did with each version: one row per (key, version, instance), the latest report
-- wins. Bounded per key: a report deletes the rows of versions 100 or more below the one reported.
create table :CFG_SCHEMA.outcomes (
  key text not null,
  version integer not null,
  instance_id text not null references :CFG_SCHEMA.instances (id) on delete cascade,
  outcome text not null,
  hash text,
  error_code text,
  error text,
  issues jsonb,
  duration_ms double precision,
  at timestamptz not null default now(),
  primary key (key, version, instance_id),
  constraint outcomes_outcome check (outcome in ('noop', 'partial', 'full', 'rejected', 'superseded')),
  constraint outcomes_version_positive check (version > 0)
);
create index outcomes_instance on :CFG_SCHEMA.outcomes (instance_id);
