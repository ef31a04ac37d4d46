import { Api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { forgetToken, savedToken, saveToken } from './session.js';
import type { Me } from './types.js';
import { feedView } from './views/feed.js';
import { fleetView } from './views/fleet.js';
import { historyView } from './views/history.js';
import { overviewView } from './views/overview.js';
import type { View, ViewContext } from './views/view.js';

/** The views, in tab order; `#/<name>` selects one. */
const VIEWS: Record<string, { title: string; create: (ctx: ViewContext) => View }> = {
  overview: { title: 'Config', create: overviewView },
  feed: { title: 'Reloads', create: feedView },
  history: { title: 'History', create: historyView },
  fleet: { title: 'Fleet', create: fleetView },
};

const root = document.getElementById('app')!;
let current: View | undefined;

/** Signs in with the saved token, or shows the sign-in form. */
async function start(): Promise<void> {
  const token = savedToken();
  if (!token) return signIn();
  const api = new Api(token);
  try {
    const me = await api.get<Me>('/api/v1/me');
    shell(api, me);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      forgetToken();
      return signIn('That token is not known to this server.');
    }
    return signIn(`Cannot reach the server: ${(error as Error).message}`);
  }
}

function signIn(problem?: string): void {
  current?.close();
  current = undefined;
  const input = h('input', {
    type: 'password',
    id: 'token',
    name: 'token',
    autocomplete: 'current-password',
    required: true,
    placeholder: 'read or admin token',
  });
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: (event: Event) => {
        event.preventDefault();
        saveToken(input.value.trim());
        void start();
      },
    },
    h('h1', {}, 'cfg console'),
    h('label', { for: 'token' }, 'Token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    problem ? h('p', { class: 'error', role: 'alert' }, problem) : null,
    h(
      'p',
      { class: 'hint' },
      'The token stays in this tab (sessionStorage) and is sent only in the Authorization header. A read token can look; an admin token can also edit and roll back.',
    ),
  );
  replace(root, form);
  input.focus();
}

function shell(api: Api, me: Me): void {
  const main = h('main', { id: 'view' });
  const tabs = h('nav', { class: 'tabs' });
  const header = h(
    'header',
    {},
    h('strong', {}, 'cfg'),
    tabs,
    h(
      'span',
      { class: 'who' },
      `${me.name} (${me.role})`,
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          id: 'sign-out',
          onclick: () => {
            forgetToken();
            signIn();
          },
        },
        'Sign out',
      ),
    ),
  );
  replace(root, header, main);
  const show = () => {
    const name = location.hash.replace(/^#\/?/, '') || 'overview';
    const view = VIEWS[name] ?? VIEWS.overview!;
    replace(
      tabs,
      Object.entries(VIEWS).map(([key, v]) =>
        h('a', { href: `#/${key}`, class: v === view ? 'tab active' : 'tab', id: `tab-${key}` }, v.title),
      ),
    );
    current?.close();
    current = view.create({
      api,
      me,
      root: main,
      signOut: () => signIn('Signed out: the token was refused.'),
    });
  };
  window.onhashchange = show;
  show();
}

void start();
