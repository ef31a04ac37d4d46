/** What a `${…}` reference points at. Never carries the value. */
export type ReferenceTarget = { kind: 'env'; name: string } | { kind: 'file'; path: string };

/** Every reason a reference cannot be used, in one table so callers can branch on `problem.code`. */
export const REFERENCE_PROBLEM_CODES = {
  /** Not a reference this package knows (`${FOO}`, `${env:}`, no closing `}`, a relative file path). */
  CFG_REF_SYNTAX: 'CFG_REF_SYNTAX',
  /** `${env:NAME}` for a name the `env` option does not allow. */
  CFG_REF_ENV_NOT_ALLOWED: 'CFG_REF_ENV_NOT_ALLOWED',
  /** `${env:NAME}` without a default, and NAME is not set. */
  CFG_REF_ENV_UNSET: 'CFG_REF_ENV_UNSET',
  /** `${file:…}` outside `fileDirs` (written so, or through `..` or a symlink), or no `fileDirs` at all. */
  CFG_REF_FILE_NOT_ALLOWED: 'CFG_REF_FILE_NOT_ALLOWED',
  /** `${file:…}` that does not exist. */
  CFG_REF_FILE_MISSING: 'CFG_REF_FILE_MISSING',
  /** `${file:…}` that is not a regular file, or cannot be read (permissions, I/O). */
  CFG_REF_FILE_UNREADABLE: 'CFG_REF_FILE_UNREADABLE',
  /** `${file:…}` larger than `maxFileBytes`. */
  CFG_REF_FILE_TOO_LARGE: 'CFG_REF_FILE_TOO_LARGE',
  /** `${file:…}` whose bytes are not UTF-8 text. */
  CFG_REF_FILE_NOT_TEXT: 'CFG_REF_FILE_NOT_TEXT',
  /** The document references more than `maxFiles` files, or its values grow past `maxResolvedBytes`. */
  CFG_REF_LIMIT: 'CFG_REF_LIMIT',
} as const;

export type ReferenceProblemCode = (typeof REFERENCE_PROBLEM_CODES)[keyof typeof REFERENCE_PROBLEM_CODES];

/** One reference that cannot be used, and where it is. Never carries a value. */
export interface ReferenceProblem {
  code: ReferenceProblemCode;
  /** RFC 6901 JSON Pointer of the string that holds the reference, e.g. `/modules/0/config/password`. */
  pointer: string;
  /** The reference as written, e.g. `${env:DB_PASSWORD}`. */
  reference: string;
  /** One line saying what is wrong and how to fix it; no position, no value. */
  message: string;
  /** 1-based position of the reference in the text, when the text was given; 0 when unknown. */
  line: number;
  column: number;
}
