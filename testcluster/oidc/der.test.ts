import { describe, expect, it } from 'vitest';
import { element, objectIdentifier, time, unsignedInteger } from './der.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('DER encoding', () => {
  it('encodes an object identifier with multi-byte arcs (ecdsa-with-SHA256)', () => {
    expect(hex(objectIdentifier('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
  });

  it('uses the long length form from 128 bytes on', () => {
    expect(hex(element(0x04, Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(element(0x04, Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(element(0x04, Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
  });

  it('keeps integers positive and minimal', () => {
    expect(hex(unsignedInteger(Buffer.from([0x80])))).toBe('02020080');
    expect(hex(unsignedInteger(Buffer.from([0, 0, 0x7f])))).toBe('02017f');
    expect(hex(unsignedInteger(Buffer.from([0])))).toBe('020100');
  });

  it('writes UTCTime before 2050 and GeneralizedTime from 2050', () => {
    expect(time(new Date('2026-12-01T02:03:04Z')).toString('latin1')).toBe('\x17\x0d261201020304Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });
});
