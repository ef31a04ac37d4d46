-- Documents and their history. `:CFG_SCHEMA` is replaced by the quoted schema name.
-- Forward-only: never edit a migration that has shipped; add 000002.sql instead.

-- The live documents: one row per key that currently exists. A delete removes the row (its history
-- keeps the versions), so re-creating a key continues from max(history.version).
create table :CFG_SCHEMA.documents (
  key text primary key,
  data text not null,
  hash text not null,
  version integer not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by text not null,
  updated_by text not null,
  constraint documents_key_format check (key ~ '^[A-Za-z0-9._/-]{1,200}$'),
  constraint documents_version_positive check (version > 0)
);

-- Every version of every key, including the current one: versions per key are 1, 2, 3, … without
-- gaps (the primary key forbids duplicates). A `delete` is a version too, without data.
create table :CFG_SCHEMA.history (
  key text not null,
  version integer not null,
  op text not null,
  data text,
  hash text,
  actor text not null,
  message text,
  changed_at timestamptz not null default now(),
  primary key (key, version),
  constraint history_key_format check (key ~ '^[A-Za-z0-9._/-]{1,200}$'),
  constraint history_version_positive check (version > 0),
  constraint history_op check (op in ('create', 'update', 'rollback', 'delete')),
  constraint history_data_unless_delete check (
    (op = 'delete') = (data is null) and (data is null) = (hash is null)
  )
);
