export {
  type EditableConfigText,
  type MissingModule,
  ModuleNotInDocumentError,
  type OpenConfigTextOptions,
} from './editable-config-text.js';
export { openConfigText, setModuleConfig } from './open-config-text.js';
