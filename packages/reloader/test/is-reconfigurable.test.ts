import { describe, expect, it } from 'vitest';
import { isReconfigurable } from '../src/is-reconfigurable.js';

describe('isReconfigurable', () => {
  it('accepts objects and functions with a reconfigure method', () => {
    expect(isReconfigurable({ reconfigure() {} })).toBe(true);
    expect(isReconfigurable({ reconfigure() {}, prepareReconfigure() {} })).toBe(true);
    expect(isReconfigurable(Object.assign(() => {}, { reconfigure() {} }))).toBe(true);
    class Server {
      reconfigure() {}
    }
    expect(isReconfigurable(new Server())).toBe(true);
  });

  it('refuses anything else', () => {
    expect(isReconfigurable(undefined)).toBe(false);
    expect(isReconfigurable(null)).toBe(false);
    expect(isReconfigurable('reconfigure')).toBe(false);
    expect(isReconfigurable({})).toBe(false);
    expect(isReconfigurable({ reconfigure: true })).toBe(false);
    expect(isReconfigurable({ reconfigure() {}, prepareReconfigure: 'yes' })).toBe(false);
  });
});
