import { type TextPosition, toAppConfig } from '../parse.js';
import type { AppConfig } from '../types.js';
import { type ParsedYaml, parseYamlDocument } from '../yaml-document.js';
import {
  type EditableConfigText,
  type MissingModule,
  ModuleNotInDocumentError,
} from './editable-config-text.js';
import { assertWritableModuleConfig } from './module-config-guard.js';
import { positionIn } from './positions.js';
import { YamlText } from './yaml-text.js';

type JsonConfig = { modules?: { name?: unknown; config?: unknown }[] };

/** A JSON config text: edited as a value, written back pretty-printed (without a byte order mark). */
export class JsonText implements EditableConfigText {
  readonly #filename: string;
  #text: string;
  /** The parse of `#text` by `yaml`, made by the first `locate` after an edit. */
  #parsed: ParsedYaml | null | undefined;

  /** `text` must be one that `tryJson` reads as JSON. */
  constructor(filename: string, text: string) {
    this.#filename = filename;
    this.#text = text;
  }

  setModuleConfig(name: string, config: Record<string, unknown>, missing: MissingModule = {}): void {
    assertWritableModuleConfig(this.#filename, name, config);
    const value = this.#read() as JsonConfig;
    const modules = Array.isArray(value.modules) ? value.modules : [];
    const module = modules.find((m) => m?.name === name);
    if (module) module.config = config;
    else if (missing.append)
      modules.push({ name, type: missing.append.type, config } as (typeof modules)[number]);
    else throw new ModuleNotInDocumentError(name);
    value.modules = modules;
    this.#text = `${JSON.stringify(value, null, 2)}\n`;
    this.#parsed = undefined;
  }

  toString(): string {
    return this.#text;
  }

  clone(): JsonText {
    return new JsonText(this.#filename, this.#text);
  }

  toValue(): unknown {
    return this.#read();
  }

  /**
   * As `parseConfig` does it: the value checked as is, and only when it fails, the text parsed as
   * YAML for the error's position (or for the YAML checks' own error, which then comes first).
   */
  toAppConfig(opts: { overlay?: boolean } = {}): AppConfig {
    const ctx = { ...opts, filename: this.#filename };
    try {
      return toAppConfig(this.#read(), ctx);
    } catch {
      return YamlText.open(this.#text, {
        filename: this.#filename,
        maxDocumentBytes: Number.POSITIVE_INFINITY,
      }).toAppConfig(opts);
    }
  }

  locate(path: string | readonly (string | number)[]): TextPosition | undefined {
    if (this.#parsed === undefined) {
      try {
        this.#parsed = parseYamlDocument(this.#text, {
          filename: this.#filename,
          maxDocumentBytes: Number.POSITIVE_INFINITY,
        });
      } catch {
        this.#parsed = null; // JSON that YAML refuses (a repeated key): no positions
      }
    }
    return this.#parsed ? positionIn(this.#parsed, this.#read(), path) : undefined;
  }

  /** A fresh value of the text (`JSON.parse` rejects a byte order mark; the text may start with one). */
  #read(): unknown {
    return JSON.parse(this.#text.charCodeAt(0) === 0xfeff ? this.#text.slice(1) : this.#text);
  }
}
