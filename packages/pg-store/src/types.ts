import type { DocumentChangeNotice, StoredDocument } from '@cfg/source';

/** What a history row records. `create` starts a key (again, after a `delete`). */
export type DocumentOp = 'create' | 'update' | 'rollback' | 'delete';

/** Options of every write: `putDocument`, `deleteDocument`, `rollback`. */
export interface WriteOptions {
  /**
   * Write only if this is the current version, else `VersionConflictError` and nothing is written.
   * `0` means "create only": the document must not exist.
   * @defaultValue no check
   */
  expectedVersion?: number;
  /**
   * Who made the change, recorded in history.
   * @defaultValue `'unknown'`
   */
  actor?: string;
  /** Why, recorded in history. */
  message?: string;
  /**
   * Calls the write off while it has not started: aborted before its first statement was sent
   * (also while waiting for a pool connection), the write rejects with the signal's reason and
   * stores nothing. Once a statement is on its way the write completes or fails as a whole, within
   * the store's timeouts.
   */
  signal?: AbortSignal;
}

/** The document after a write; `changed: false` when the bytes were identical and nothing was written. */
export interface PutDocumentResult extends StoredDocument {
  changed: boolean;
}

/** A document without its data, as `listDocuments` returns it. */
export interface DocumentInfo extends Omit<StoredDocument, 'data'> {
  createdAt: Date;
  createdBy: string;
}

export interface ListDocumentsOptions {
  /** Only keys that start with this. */
  prefix?: string;
  /**
   * At most this many, ordered by key.
   * @defaultValue `100`
   */
  limit?: number;
  /** Only keys after this one: pass the last key of the previous page. */
  after?: string;
}

/** One version of a document, without its data. */
export interface HistoryEntry {
  key: string;
  version: number;
  op: DocumentOp;
  /** `null` for a `delete`. */
  hash: string | null;
  actor: string;
  message: string | null;
  changedAt: Date;
}

/** One version of a document, with its data (`null` for a `delete`). */
export interface DocumentVersion extends HistoryEntry {
  data: string | null;
}

export interface HistoryOptions {
  /**
   * At most this many, newest first.
   * @defaultValue `50`
   */
  limit?: number;
  /** Only versions older than this one: pass the last version of the previous page. */
  beforeVersion?: number;
}

/** The NOTIFY payload. `hash` is `''` for a `delete`. */
export interface PgDocumentChangeNotice extends DocumentChangeNotice {
  op: DocumentOp;
}
