import { type Api, ApiError } from '../api.js';
import type { Me } from '../types.js';

/** What every view gets: the API with the signed-in token, who that is, and where to draw. */
export interface ViewContext {
  api: Api;
  me: Me;
  root: HTMLElement;
  /** Back to the sign-in form (a 401 mid-session: the token was removed from the server). */
  signOut(): void;
}

/** A mounted view; `close` stops its timers and streams. */
export interface View {
  close(): void;
}

/**
 * A view's load failed: back to sign-in on 401; `noStore` on 409 (file mode has no history or
 * fleet); else the error, where the view's content would be.
 */
export function showLoadError(ctx: ViewContext, error: unknown, noStore: HTMLElement): void {
  if (error instanceof ApiError && error.status === 401) ctx.signOut();
  else
    ctx.root.replaceChildren(error instanceof ApiError && error.status === 409 ? noStore : errorBox(error));
}

/** Shows an error where a view's content would be. */
export function errorBox(error: unknown): HTMLElement {
  const p = document.createElement('p');
  p.className = 'error';
  p.setAttribute('role', 'alert');
  p.textContent = (error as Error).message;
  return p;
}
