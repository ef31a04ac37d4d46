import type { EditableConfigText, MissingModule } from './editable-config-text.js';
import { JsonText } from './json-text.js';
import { YamlText } from './yaml-text.js';

export {
  type EditableConfigText,
  type MissingModule,
  ModuleNotInDocumentError,
} from './editable-config-text.js';

/**
 * Opens `text` for editing: JSON when it starts with `{` and parses as JSON (as `parseConfig` decides),
 * else YAML. Throws the `ConfigParseError` of the text's first problem.
 */
export function openConfigText(text: string): EditableConfigText {
  if (text.trimStart().startsWith('{')) {
    try {
      return new JsonText(text);
    } catch {
      // `{modules: []}` is YAML flow style, not JSON
    }
  }
  return YamlText.open(text);
}

/** `text` with module `name`'s `config` replaced; see `EditableConfigText`. */
export function setModuleConfig(
  text: string,
  name: string,
  config: Record<string, unknown>,
  missing: MissingModule = {},
): string {
  const editable = openConfigText(text);
  editable.setModuleConfig(name, config, missing);
  return editable.toString();
}
