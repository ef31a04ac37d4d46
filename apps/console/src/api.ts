import type { Issue } from './types.js';

/** An error reply of the API: `{ statusCode, code, error, message, issues? }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly issues: Issue[];

  constructor(status: number, code: string, message: string, issues: Issue[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

/** Every request times out after this long (a rollout wait asks for more). */
const TIMEOUT_MS = 15_000;

/**
 * The HTTP API with the signed-in token in an `Authorization` header: the token never goes into a
 * URL (where logs, history and Referer headers would keep it).
 */
export class Api {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  get<T>(path: string): Promise<T> {
    return this.#request<T>('GET', path);
  }

  send<T>(method: 'PUT' | 'POST', path: string, body: unknown): Promise<T> {
    return this.#request<T>(method, path, body);
  }

  /** The headers of an authenticated request (the event stream builds its own fetch). */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.#token}`, ...extra };
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, {
      method,
      headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: 'no-store',
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiError(
        response.status,
        'CONSOLE_BAD_REPLY',
        `${method} ${path}: not JSON (${response.status})`,
      );
    }
    if (!response.ok) {
      const e = (json ?? {}) as { code?: string; message?: string; issues?: Issue[] };
      throw new ApiError(
        response.status,
        e.code ?? 'UNKNOWN',
        e.message ?? response.statusText,
        e.issues ?? [],
      );
    }
    return json as T;
  }
}
