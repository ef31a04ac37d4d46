export {
  applyPartial,
  type ModuleFailure,
  type PartialApplyResult,
  type PartialStep,
} from './apply-partial.js';
export { type DependencyOrder, dependencyOrder } from './dependency-order.js';
export { RELOAD_ERROR_CODES, ReloadError, type ReloadErrorCode } from './errors.js';
export { isReconfigurable } from './is-reconfigurable.js';
export { planReload, type ReloadPlan } from './plan.js';
export { ConfigReloader } from './reloader.js';
export {
  type ConfigValidator,
  type FullReloadContext,
  type ModuleReport,
  type ModuleStatus,
  RELOAD_OUTCOMES,
  type Reconfigurable,
  type ReconfigureContext,
  type ReloaderEventMap,
  type ReloaderEventName,
  type ReloaderOptions,
  type ReloaderStatus,
  type ReloadFailure,
  type ReloadOutcome,
  type ReloadResult,
  type ReloadTarget,
  type ValidatorFunction,
} from './types.js';
export { formatIssuePath, isStandardSchema, runValidator } from './validate.js';
