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
});
