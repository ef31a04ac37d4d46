export { type MergedFacts, mergeSnapshotFacts } from './merged.js';
export {
  MAX_REFERENCE_FILE_BYTES,
  MAX_REFERENCED_FILES,
  type ReferenceOptions,
} from './options.js';
export {
  isSecretKey,
  type RedactOptions,
  redactConfig,
  SECRET_KEY_PATTERN,
  SECRET_MASK,
  type SecretKeyPattern,
  secretStrings,
} from './redact.js';
export { ConfigReferenceError } from './reference-error.js';
export { type ApplyContext, type HashContext, ReferenceStage } from './reference-stage.js';
export {
  checkReferences,
  type ReferenceContext,
  type ResolvedReferences,
  type ResolveReferencesOptions,
  resolveReferences,
} from './resolve.js';
export {
  REFERENCE_PROBLEM_CODES,
  type ReferenceProblem,
  type ReferenceProblemCode,
  type ReferenceTarget,
} from './types.js';
