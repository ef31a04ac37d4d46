import { ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { shortHash, time } from '../format.js';
import { lineDiff } from '../line-diff.js';
import type { HistoryEntry, ReloadRecord, VersionReply } from '../types.js';
import { errorBox, showLoadError, type View, type ViewContext } from './view.js';

/** Versions listed (the API's page size). */
const LIMIT = 50;

/**
 * The stored versions, newest first: pick any two for a side-by-side diff; admins can roll back to
 * one (after confirming in a dialog), which writes its content as the newest version.
 */
export function historyView(ctx: ViewContext): View {
  let closed = false;
  let left: number | undefined;
  let right: number | undefined;
  const diffSlot = h('div', { id: 'diff' });
  const notice = h('div', { id: 'history-notice' });

  const load = async () => {
    try {
      const { history } = await ctx.api.get<{ history: HistoryEntry[] }>(
        `/api/v1/config/history?limit=${LIMIT}`,
      );
      if (closed) return;
      const withData = history.filter((e) => e.op !== 'delete');
      right = withData[0]?.version;
      left = withData[1]?.version ?? right;
      draw(history);
      void showDiff();
    } catch (error) {
      if (!closed)
        showLoadError(
          ctx,
          error,
          h(
            'p',
            { class: 'muted', id: 'history-none' },
            'No history in file mode: start the server with a database.',
          ),
        );
    }
  };

  const draw = (history: HistoryEntry[]) => {
    const radio = (side: 'left' | 'right', entry: HistoryEntry) =>
      h('input', {
        type: 'radio',
        name: side,
        id: `${side}-${entry.version}`,
        'aria-label': `${side === 'left' ? 'compare from' : 'compare to'} version ${entry.version}`,
        checked: (side === 'left' ? left : right) === entry.version,
        disabled: entry.op === 'delete',
        onchange: () => {
          if (side === 'left') left = entry.version;
          else right = entry.version;
          void showDiff();
        },
      });
    replace(
      ctx.root,
      h('h2', {}, 'History'),
      notice,
      h(
        'table',
        { id: 'history' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['A', 'B', 'version', 'op', 'when', 'by', 'message', 'hash', ''].map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          history.map((entry) =>
            h(
              'tr',
              { 'data-version': entry.version },
              h('td', {}, radio('left', entry)),
              h('td', {}, radio('right', entry)),
              h('td', {}, `v${entry.version}`),
              h('td', {}, entry.op),
              h('td', {}, time(entry.changedAt)),
              h('td', {}, entry.actor),
              h('td', {}, entry.message ?? ''),
              h('td', { class: 'muted' }, shortHash(entry.hash)),
              h(
                'td',
                {},
                ctx.me.role === 'admin' && entry.op !== 'delete' && entry.version !== history[0]?.version
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'rollback',
                        id: `rollback-${entry.version}`,
                        onclick: () => confirmRollback(entry.version),
                      },
                      'Roll back to this',
                    )
                  : null,
              ),
            ),
          ),
        ),
      ),
      diffSlot,
    );
  };

  const showDiff = async () => {
    if (left === undefined || right === undefined) return replace(diffSlot);
    replace(diffSlot, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const [a, b] = await Promise.all([
        ctx.api.get<VersionReply>(`/api/v1/config/versions/${left}`),
        ctx.api.get<VersionReply>(`/api/v1/config/versions/${right}`),
      ]);
      if (closed) return;
      const rows = lineDiff(a.data ?? '', b.data ?? '');
      replace(
        diffSlot,
        h('h2', {}, `v${a.version} → v${b.version}`),
        rows === null
          ? h('p', { class: 'muted' }, 'Too large or too different to align line by line.')
          : h(
              'table',
              { class: 'diff', id: 'diff-table' },
              h(
                'tbody',
                {},
                rows.map((row) =>
                  h(
                    'tr',
                    { class: row.kind },
                    h('td', { class: 'n' }, row.left?.n ?? ''),
                    h('td', { class: 'left' }, h('code', {}, row.left?.text ?? '')),
                    h('td', { class: 'n' }, row.right?.n ?? ''),
                    h('td', { class: 'right' }, h('code', {}, row.right?.text ?? '')),
                  ),
                ),
              ),
            ),
      );
    } catch (error) {
      if (!closed) replace(diffSlot, errorBox(error));
    }
  };

  const confirmRollback = (version: number) => {
    const dialog = h(
      'dialog',
      { id: 'confirm-rollback' },
      h(
        'p',
        {},
        `Write the content of version ${version} as the newest version? Every server on this store applies it.`,
      ),
      h(
        'form',
        { method: 'dialog' },
        h('button', { value: 'cancel', type: 'submit' }, 'Cancel'),
        h(
          'button',
          { value: 'confirm', type: 'submit', id: 'confirm-rollback-yes', class: 'danger' },
          `Roll back to v${version}`,
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (dialog.returnValue === 'confirm') void rollback(version);
    });
    document.body.append(dialog);
    dialog.showModal();
  };

  const rollback = async (version: number) => {
    try {
      const reply = await ctx.api.send<{ version?: number; result: ReloadRecord }>(
        'POST',
        '/api/v1/config/rollback',
        {
          version,
        },
      );
      await load();
      replace(
        notice,
        h(
          'p',
          { class: 'ok', id: 'rollback-done' },
          `Rolled back to v${version}: now version ${reply.version} (${reply.result.outcome}).`,
        ),
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return ctx.signOut();
      replace(notice, errorBox(error));
    }
  };

  replace(ctx.root, h('p', { class: 'muted' }, 'Loading…'));
  void load();
  return {
    close() {
      closed = true;
    },
  };
}
