/**
 * The signed-in token lives in `sessionStorage`: per tab, gone when the tab closes, never in a URL
 * or a cookie (so no request carries it unless the console adds it itself).
 */
const KEY = 'cfg-console-token';

export function savedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
