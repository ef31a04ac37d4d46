import {
  type EditableConfigText,
  type MissingModule,
  ModuleNotInDocumentError,
} from './editable-config-text.js';

/** A JSON config text: edited as a value, written back pretty-printed. */
export class JsonText implements EditableConfigText {
  #text: string;

  constructor(text: string) {
    JSON.parse(text); // throws for text that only YAML reads
    this.#text = text;
  }

  setModuleConfig(name: string, config: Record<string, unknown>, missing: MissingModule = {}): void {
    const value = JSON.parse(this.#text) as { modules?: { name?: unknown; config?: unknown }[] };
    const modules = Array.isArray(value.modules) ? value.modules : [];
    const module = modules.find((m) => m?.name === name);
    if (module) module.config = config;
    else if (missing.append)
      modules.push({ name, type: missing.append.type, config } as (typeof modules)[number]);
    else throw new ModuleNotInDocumentError(name);
    value.modules = modules;
    this.#text = `${JSON.stringify(value, null, 2)}\n`;
  }

  toString(): string {
    return this.#text;
  }

  clone(): JsonText {
    return new JsonText(this.#text);
  }

  toValue(): unknown {
    return JSON.parse(this.#text);
  }
}
