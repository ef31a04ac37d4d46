import { ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { openEventStream, type StreamState } from '../event-stream.js';
import { shortHash, time } from '../format.js';
import type { ReloadRecord } from '../types.js';
import { errorBox, type View, type ViewContext } from './view.js';

/** Items kept on the page; older ones are dropped from the bottom. */
const MAX_ITEMS = 200;

/**
 * The reload results of this server, live: the last ones from `GET /api/v1/reloads`, then the event
 * stream from the newest id on (so nothing between the two is lost), resumed after a drop.
 */
export function feedView(ctx: ViewContext): View {
  const list = h('ol', { class: 'feed', id: 'feed' });
  const state = h('span', { class: 'stream-state', id: 'stream-state' }, 'connecting');
  const seen = new Set<number>();
  let stream: { close(): void } | undefined;
  let closed = false;

  const add = (record: ReloadRecord, atTop: boolean) => {
    if (seen.has(record.id)) return;
    seen.add(record.id);
    const item = h(
      'li',
      { class: `reload ${record.outcome}`, 'data-id': record.id },
      h('span', { class: 'when' }, time(record.at)),
      h('span', { class: `badge ${record.outcome}` }, record.outcome),
      record.version === undefined ? null : h('span', { class: 'version' }, `v${record.version}`),
      h(
        'span',
        { class: 'modules' },
        record.modules.map((m) => `${m.name} ${m.status}`).join(', ') || 'no modules',
      ),
      h('span', { class: 'muted' }, `${record.durationMs.toFixed(1)} ms · ${shortHash(record.toHash)}`),
      record.error
        ? h(
            'div',
            { class: 'error' },
            record.errorCode ? `${record.errorCode}: ` : '',
            record.error,
            (record.issues ?? [])
              .slice(0, 10)
              .map((i) => h('div', { class: 'issue' }, `${i.path}: ${i.message}`)),
          )
        : record.reason
          ? h('div', { class: 'muted' }, record.reason)
          : null,
    );
    if (atTop) list.prepend(item);
    else list.append(item);
    while (list.children.length > MAX_ITEMS) list.lastElementChild?.remove();
  };

  replace(ctx.root, h('h2', {}, 'Reloads ', state), list);
  ctx.api
    .get<{ reloads: ReloadRecord[] }>('/api/v1/reloads')
    .then(({ reloads }) => {
      if (closed) return;
      for (const record of reloads) add(record, false);
      const newest = reloads.reduce((max, r) => Math.max(max, r.id), 0);
      stream = openEventStream(
        ctx.api,
        '/api/v1/events',
        {
          onEvent: (event, data) => {
            if (event === 'reload') add(data as ReloadRecord, true);
          },
          onState: (s: StreamState) => {
            state.textContent = s === 'open' ? 'live' : s;
            state.className = `stream-state ${s}`;
          },
        },
        newest === 0 ? undefined : newest,
      );
    })
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) return ctx.signOut();
      if (!closed) replace(ctx.root, errorBox(error));
    });
  return {
    close() {
      closed = true;
      stream?.close();
    },
  };
}
