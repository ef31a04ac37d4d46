import {
  type AppConfig,
  ConfigParseError,
  type EditableConfigText,
  openConfigText,
  readConfigText,
} from '@cfg/source';
import { ModuleRegistry } from '../engine/registry.js';
import { validateAppConfig } from '../engine/validate.js';

/** Output lines and the exit code of `cfg validate <file>`. */
export interface CommandResult {
  lines: string[];
  exitCode: number;
}

/**
 * Parses the file (YAML or JSON) and checks it exactly as the server would before applying it.
 * Every problem is one `file:line:col: message` line; exit code 1 when there is any. The text is
 * parsed once: its issues are located in the same parse (`EditableConfigText.locate`).
 */
export async function validateCommand(
  file: string,
  opts: { maxDocumentBytes?: number } = {},
): Promise<CommandResult> {
  const { maxDocumentBytes } = opts;
  let doc: EditableConfigText;
  let config: AppConfig;
  try {
    const text = await readConfigText(file, { maxDocumentBytes });
    doc = openConfigText(text, { filename: file, maxDocumentBytes });
    config = doc.toAppConfig();
  } catch (error) {
    if (error instanceof ConfigParseError) return { lines: [error.message], exitCode: 1 };
    throw error;
  }
  const outcome = validateAppConfig(config, new ModuleRegistry());
  if (outcome.ok) {
    const n = config.modules.length;
    return { lines: [`${file}: ok (${n} module${n === 1 ? '' : 's'})`], exitCode: 0 };
  }
  const lines = outcome.issues.map((issue) => {
    const at = doc.locate(issue.path);
    const where = at ? `${file}:${at.line}:${at.column}` : file;
    return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
  });
  return { lines, exitCode: 1 };
}
