import { ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { valueText } from '../format.js';
import type { Issue, ModuleInfo, ReloadRecord } from '../types.js';
import type { ViewContext } from './view.js';

interface Field {
  name: string;
  /** The value's type when the editor opened: a string field sends its text as is. */
  wasString: boolean;
  input: HTMLInputElement;
  error: HTMLElement;
}

/**
 * Edits one module's config: one input per key (strings as text, other values as JSON) and a row to
 * add a key. Saving PUTs the whole config; a 422 puts each issue next to the field its path names
 * (`modules.<name>.config.<field>…`), the rest above the form, and says that nothing was stored.
 */
export function moduleEditor(
  ctx: ViewContext,
  module: ModuleInfo,
  slot: HTMLElement,
  saved: (message: HTMLElement) => void,
): void {
  const fields: Field[] = Object.entries(module.config).map(([name, value]) => ({
    name,
    wasString: typeof value === 'string',
    input: h('input', { type: 'text', name: `field-${name}`, id: `field-${name}`, value: valueText(value) }),
    error: h('span', { class: 'field-error', id: `error-${name}`, role: 'alert' }),
  }));
  const newName = h('input', { type: 'text', name: 'new-name', placeholder: 'new key', id: 'new-name' });
  const newValue = h('input', {
    type: 'text',
    name: 'new-value',
    placeholder: 'value (JSON or text)',
    id: 'new-value',
  });
  const general = h('div', { class: 'form-errors', id: 'form-errors', role: 'alert' });
  const status = h('p', { class: 'muted', id: 'editor-status' });

  const parse = (): Record<string, unknown> | undefined => {
    const config: Record<string, unknown> = {};
    let ok = true;
    for (const field of fields) {
      replace(field.error);
      const text = field.input.value;
      if (field.wasString) config[field.name] = text;
      else {
        try {
          config[field.name] = JSON.parse(text);
        } catch {
          replace(field.error, 'not valid JSON (quote a string: "text")');
          ok = false;
        }
      }
    }
    const name = newName.value.trim();
    if (name !== '') {
      try {
        config[name] = JSON.parse(newValue.value);
      } catch {
        config[name] = newValue.value;
      }
    }
    return ok ? config : undefined;
  };

  const showIssues = (issues: Issue[]) => {
    const prefix = `modules.${module.name}.config.`;
    const rest: Issue[] = [];
    for (const issue of issues) {
      const field = issue.path.startsWith(prefix)
        ? fields.find((f) => issue.path.slice(prefix.length).split('.')[0] === f.name)
        : undefined;
      if (field) {
        field.error.append(document.createTextNode(`${issue.message} `));
        field.input.setAttribute('aria-invalid', 'true');
      } else rest.push(issue);
    }
    replace(
      general,
      rest.map((i) => h('p', { class: 'error' }, `${i.path}: ${i.message}`)),
    );
  };

  const save = async (event: Event) => {
    event.preventDefault();
    replace(general);
    for (const field of fields) field.input.removeAttribute('aria-invalid');
    const config = parse();
    if (!config) return;
    replace(status, 'Saving…');
    try {
      const reply = await ctx.api.send<{ version?: number; persisted: boolean; result: ReloadRecord }>(
        'PUT',
        `/api/v1/modules/${encodeURIComponent(module.name)}/config`,
        config,
      );
      saved(
        h(
          'p',
          { class: 'ok', id: 'editor-saved' },
          `Saved "${module.name}"${reply.version ? ` as version ${reply.version}` : ''}: ${reply.result.outcome}.`,
        ),
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return ctx.signOut();
      replace(
        status,
        h(
          'span',
          { class: 'error', id: 'editor-refused' },
          `${error instanceof ApiError ? `${error.status} ${error.code}` : 'Error'}: nothing was stored.`,
        ),
      );
      if (error instanceof ApiError && error.issues.length > 0) showIssues(error.issues);
      else replace(general, h('p', { class: 'error' }, (error as Error).message));
    }
  };

  replace(
    slot,
    h(
      'form',
      { class: 'editor', id: `editor-${module.name}`, onsubmit: save },
      h('h2', {}, `Edit "${module.name}" (${module.type})`),
      general,
      fields.map((f) =>
        h('div', { class: 'field' }, h('label', { for: f.input.id }, f.name), f.input, f.error),
      ),
      h('div', { class: 'field' }, newName, newValue),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', id: 'editor-save' }, 'Save'),
        h('button', { type: 'button', class: 'link', onclick: () => replace(slot) }, 'Cancel'),
      ),
      status,
    ),
  );
  fields[0]?.input.focus();
}
