import { h, replace } from '../dom.js';
import { age, shortHash, time } from '../format.js';
import type { ConfigReply, ModuleInfo } from '../types.js';
import { moduleEditor } from './editor.js';
import { errorBox, type View, type ViewContext } from './view.js';

/** The config in use (version, hash, source, mode) and its modules; admins can edit one. */
export function overviewView(ctx: ViewContext): View {
  let closed = false;
  /** Re-reads and redraws; `notice` (what the last save did) is shown where the editor was. */
  const load = async (notice?: HTMLElement) => {
    try {
      const [config, { modules }] = await Promise.all([
        ctx.api.get<ConfigReply>('/api/v1/config'),
        ctx.api.get<{ modules: ModuleInfo[] }>('/api/v1/modules'),
      ]);
      if (!closed) draw(config, modules, notice);
    } catch (error) {
      if (!closed) replace(ctx.root, errorBox(error));
    }
  };

  const draw = (config: ConfigReply, modules: ModuleInfo[], notice?: HTMLElement) => {
    const rows = modules.map((module) => {
      const row = h(
        'tr',
        { 'data-module': module.name },
        h('td', {}, h('strong', {}, module.name)),
        h('td', {}, module.type, module.reconfigurable ? '' : h('span', { class: 'tag' }, 'full reload')),
        h('td', {}, h('pre', { class: 'config' }, JSON.stringify(module.config, null, 2))),
        h(
          'td',
          { class: 'muted' },
          module.lastChange
            ? `${module.lastChange.status} ${age(module.lastChange.at)} ago${module.lastChange.version ? ` (v${module.lastChange.version})` : ''}`
            : 'as started',
        ),
        h(
          'td',
          {},
          ctx.me.role === 'admin'
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'edit',
                  onclick: () =>
                    moduleEditor(ctx, module, editorSlot, (message) => {
                      void load(message);
                    }),
                },
                'Edit',
              )
            : null,
        ),
      );
      return row;
    });
    const editorSlot = h('div', { id: 'editor' }, notice);
    replace(
      ctx.root,
      h(
        'section',
        { class: 'summary', id: 'config-summary' },
        h('h2', {}, 'Config in use'),
        h(
          'dl',
          {},
          h('dt', {}, 'version'),
          h(
            'dd',
            { id: 'config-version' },
            config.version === undefined ? '— (file mode)' : String(config.version),
          ),
          h('dt', {}, 'hash'),
          h('dd', { title: config.hash }, shortHash(config.hash)),
          h('dt', {}, 'source'),
          h('dd', {}, config.source),
          h('dt', {}, 'mode'),
          h('dd', {}, config.mode, config.key ? ` (key "${config.key}")` : ''),
          h('dt', {}, 'loaded'),
          h('dd', {}, time(config.loadedAt)),
        ),
      ),
      editorSlot,
      h(
        'section',
        {},
        h('h2', {}, `Modules (${modules.length})`),
        h(
          'table',
          { id: 'modules' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'name'),
              h('th', {}, 'type'),
              h('th', {}, 'config'),
              h('th', {}, 'last change'),
              h('th', {}),
            ),
          ),
          h('tbody', {}, rows),
        ),
      ),
    );
  };

  replace(ctx.root, h('p', { class: 'muted' }, 'Loading…'));
  void load();
  return {
    close() {
      closed = true;
    },
  };
}
