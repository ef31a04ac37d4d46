import { describe, expect, it } from 'vitest';
import { staticResponseType } from '../../../src/engine/modules/static-response.js';
import { createModule, parseFor } from '../../helpers/modules.js';

describe('static-response', () => {
  it('answers the fixed body with its status and content type', () => {
    const module = createModule(staticResponseType, {
      path: '/x',
      body: 'plain',
      status: 203,
      contentType: 'text/x',
    });
    expect(module.respond()).toEqual({ statusCode: 203, body: 'plain', contentType: 'text/x' });
    expect(staticResponseType.routes(parseFor(staticResponseType, { path: '/x', body: 1 }))).toEqual(['/x']);
  });

  it('is not reconfigurable: no reconfigure method at all', () => {
    expect(staticResponseType.reconfigurable).toBe(false);
    expect('reconfigure' in createModule(staticResponseType, { path: '/x', body: 1 })).toBe(false);
  });

  it('refuses paths the server owns, and bodies that are missing', () => {
    expect(() => parseFor(staticResponseType, { path: '/api/v1/config', body: 1 })).toThrow(/server owns/);
    expect(() => parseFor(staticResponseType, { path: '/healthz', body: 1 })).toThrow(/server owns/);
    expect(() => parseFor(staticResponseType, { path: 'no-slash', body: 1 })).toThrow(/starts with/);
    expect(() => parseFor(staticResponseType, { path: '/x' })).toThrow(/body/);
  });

  it('validates contentType as a header value: printable ASCII media types only, no line breaks', () => {
    const config = (contentType: string) => ({ path: '/x', body: 'b', contentType });
    expect(parseFor(staticResponseType, config('text/html; charset=utf-8')).contentType).toBe(
      'text/html; charset=utf-8',
    );
    expect(parseFor(staticResponseType, config('application/vnd.a+json;q="x y"')).contentType).toBeDefined();
    for (const bad of [
      'text/htmł',
      'text/html; charset=ü',
      'text/html\r\nX-Evil: 1',
      'text/html\n',
      'html',
      '',
    ]) {
      expect(() => parseFor(staticResponseType, config(bad)), JSON.stringify(bad)).toThrow(/media type/);
    }
  });

  it('refuses a body on 204, 205 and 304, and needs one everywhere else', () => {
    for (const status of [204, 205, 304]) {
      expect(() => parseFor(staticResponseType, { path: '/x', status, body: '' })).toThrow(
        new RegExp(`a ${status} response has no body`),
      );
      expect(createModule(staticResponseType, { path: '/x', status }).respond()).toEqual({
        statusCode: status,
      });
    }
    expect(() => parseFor(staticResponseType, { path: '/x', status: 200 })).toThrow(/body is required/);
  });
});
