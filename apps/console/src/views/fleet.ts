import { h, replace } from '../dom.js';
import { openEventStream } from '../event-stream.js';
import { age, time } from '../format.js';
import type { FleetReply } from '../types.js';
import { showLoadError, type View, type ViewContext } from './view.js';

/** Re-read at least this often: other replicas' reports do not come through this server's stream. */
const REFRESH_MS = 2000;

/**
 * `GET /api/v1/fleet`, live: every instance following this document with the version it runs, its
 * last outcome and lag, and per recent version how many applied, rejected or are pending. Re-read
 * every 2 s and at once when this server reloads.
 */
export function fleetView(ctx: ViewContext): View {
  let closed = false;
  let loading = false;
  const load = async () => {
    if (loading || closed) return;
    loading = true;
    try {
      draw(await ctx.api.get<FleetReply>('/api/v1/fleet'));
    } catch (error) {
      if (!closed)
        showLoadError(
          ctx,
          error,
          h(
            'p',
            { class: 'muted', id: 'fleet-none' },
            'No fleet in file mode: start the server with a database.',
          ),
        );
    } finally {
      loading = false;
    }
  };

  const draw = (fleet: FleetReply) => {
    if (closed) return;
    const live = fleet.instances.filter((i) => i.state === 'live');
    replace(
      ctx.root,
      h(
        'h2',
        {},
        `Fleet of "${fleet.key}": ${live.length} live`,
        fleet.newestVersion === null ? '' : `, newest version ${fleet.newestVersion}`,
      ),
      h(
        'table',
        { id: 'fleet-instances' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [
              'instance',
              'host / pid',
              'labels',
              'state',
              'runs',
              'since',
              'lag',
              'last outcome',
              'heartbeat',
            ].map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          fleet.instances.map((i) =>
            h(
              'tr',
              { class: `instance ${i.state}`, 'data-instance': i.id },
              h('td', {}, i.id, i.id === fleet.self ? h('span', { class: 'tag' }, 'this server') : null),
              h('td', {}, `${i.host} / ${i.pid}`),
              h(
                'td',
                {},
                Object.entries(i.labels).map(([k, v]) => h('span', { class: 'tag' }, `${k}=${v}`)),
              ),
              h('td', {}, h('span', { class: `badge ${i.state}` }, i.state)),
              h('td', { class: 'runs' }, i.version === null ? '—' : `v${i.version}`),
              h('td', {}, i.appliedAt ? `${time(i.appliedAt)} (${age(i.appliedAt)} ago)` : '—'),
              h('td', { class: i.lag ? 'lagging' : '' }, i.lag === null ? '—' : String(i.lag)),
              h(
                'td',
                {},
                i.lastOutcome
                  ? h(
                      'span',
                      { class: `badge ${i.lastOutcome.outcome}` },
                      `v${i.lastOutcome.version} ${i.lastOutcome.outcome}${i.lastOutcome.errorCode ? ` ${i.lastOutcome.errorCode}` : ''}`,
                    )
                  : '—',
              ),
              h('td', { class: 'muted' }, `${age(i.heartbeatAt)} ago`),
            ),
          ),
        ),
      ),
      h('h2', {}, 'Recent versions'),
      h(
        'table',
        { id: 'fleet-versions' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['version', 'op', 'by', 'when', 'applied', 'rejected', 'superseded', 'pending'].map((t) =>
              h('th', {}, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          fleet.versions.map((v) =>
            h(
              'tr',
              { 'data-version': v.version },
              h('td', {}, `v${v.version}`),
              h('td', {}, v.op),
              h('td', {}, v.actor),
              h('td', {}, time(v.changedAt)),
              h('td', { class: 'applied' }, String(v.counts.applied)),
              h('td', { class: v.counts.rejected ? 'rejected' : '' }, String(v.counts.rejected)),
              h('td', {}, String(v.counts.superseded)),
              h('td', { class: v.counts.pending ? 'pending' : '' }, String(v.counts.pending)),
            ),
          ),
        ),
      ),
    );
  };

  replace(ctx.root, h('p', { class: 'muted' }, 'Loading…'));
  void load();
  const timer = window.setInterval(() => void load(), REFRESH_MS);
  const stream = openEventStream(ctx.api, '/api/v1/events', {
    onEvent: () => void load(),
    onState: () => {},
  });
  return {
    close() {
      closed = true;
      window.clearInterval(timer);
      stream.close();
    },
  };
}
