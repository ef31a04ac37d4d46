import { describe, expect, it } from 'vitest';
import { InvalidNoticeError } from '../src/index.js';
import { parseNotice } from '../src/notice.js';

describe('parseNotice', () => {
  it('reads the payload the store sends', () => {
    const payload = JSON.stringify({ op: 'update', key: 'app/x', version: 3, hash: 'ab' });
    expect(parseNotice('ch', payload)).toEqual({ op: 'update', key: 'app/x', version: 3, hash: 'ab' });
  });

  it.each([
    '',
    'not json',
    'null',
    '[]',
    '{"op":"update","key":"a","version":1}',
    '{"op":"explode","key":"a","version":1,"hash":""}',
    '{"op":"update","key":"a b","version":1,"hash":""}',
    '{"op":"update","key":"a","version":0,"hash":""}',
    '{"op":"update","key":"a","version":"1","hash":""}',
    '{"op":"update","key":"a","version":1.5,"hash":""}',
  ])('rejects %j', (payload) => {
    expect(() => parseNotice('ch', payload)).toThrow(InvalidNoticeError);
  });

  it('keeps the channel and (a prefix of) the payload for diagnosis', () => {
    const error = (() => {
      try {
        parseNotice('ch', 'x'.repeat(500));
      } catch (e) {
        return e as InvalidNoticeError;
      }
    })();
    expect(error).toMatchObject({ code: 'CFG_PG_INVALID_NOTICE', channel: 'ch' });
    expect(error?.message.length).toBeLessThan(300);
  });
});
