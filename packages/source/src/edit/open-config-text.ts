import { checkDocumentSize } from '../limits.js';
import { tryJson } from '../parse.js';
import type { EditableConfigText, MissingModule, OpenConfigTextOptions } from './editable-config-text.js';
import { JsonText } from './json-text.js';
import { YamlText } from './yaml-text.js';

/**
 * Opens `text` for editing: as JSON when `parseConfig` reads it as JSON (the same test, `tryJson`:
 * a byte order mark allowed, `{` first, `JSON.parse` succeeds, JSON data within the limits), else
 * as YAML through `parseYamlDocument`. Within `maxDocumentBytes`. Throws the `ConfigParseError` of
 * the text's first problem, naming `filename`, as `parseConfig` would.
 */
export function openConfigText(text: string, opts: OpenConfigTextOptions = {}): EditableConfigText {
  const ctx = { filename: opts.filename ?? 'config', maxDocumentBytes: opts.maxDocumentBytes };
  checkDocumentSize(Buffer.byteLength(text), ctx);
  return tryJson(text).ok ? new JsonText(ctx.filename, text) : YamlText.open(text, ctx);
}

/** `text` with module `name`'s `config` replaced; see `EditableConfigText.setModuleConfig`. */
export function setModuleConfig(
  text: string,
  name: string,
  config: Record<string, unknown>,
  missing: MissingModule = {},
  opts: OpenConfigTextOptions = {},
): string {
  const editable = openConfigText(text, opts);
  editable.setModuleConfig(name, config, missing);
  return editable.toString();
}
