import { describe, expect, it, vi } from 'vitest';
import { SafeEmitter } from '../src/safe-emit.js';
import { spyLogger } from './helpers.js';

interface Events {
  ping: number;
  pong: string;
}

describe('SafeEmitter', () => {
  it('calls every listener of the event with its payload, in order', () => {
    const events = new SafeEmitter<Events>();
    const seen: string[] = [];
    events.on('ping', (n) => seen.push(`first ${n}`));
    events.on('ping', (n) => seen.push(`second ${n}`));
    events.on('pong', (s) => seen.push(`pong ${s}`));

    events.emit('ping', 1);

    expect(seen).toEqual(['first 1', 'second 1']);
  });

  it('logs a throwing listener and still calls the others', () => {
    const logger = spyLogger();
    const events = new SafeEmitter<Events>(logger);
    const after = vi.fn();
    events.on('ping', () => {
      throw new Error('bug');
    });
    events.on('ping', after);

    expect(() => events.emit('ping', 1)).not.toThrow();
    expect(after).toHaveBeenCalledWith(1);
    expect(logger.error).toHaveBeenCalledWith(
      { err: expect.objectContaining({ message: 'bug' }), event: 'ping' },
      'a "ping" listener threw; ignored',
    );
  });

  it('logs a listener whose promise rejects', async () => {
    const logger = spyLogger();
    const events = new SafeEmitter<Events>(logger);
    events.on('pong', async () => {
      throw new Error('later');
    });

    events.emit('pong', 'x');

    await vi.waitFor(() => expect(logger.error).toHaveBeenCalledTimes(1));
  });

  it('stops calling a listener after off() or its unsubscribe function', () => {
    const events = new SafeEmitter<Events>();
    const a = vi.fn();
    const b = vi.fn();
    const offA = events.on('ping', a);
    events.on('ping', b);
    offA();
    events.off('ping', b);

    events.emit('ping', 1);

    expect(a).not.toHaveBeenCalled();
    expect(b).not.toHaveBeenCalled();
  });
});
