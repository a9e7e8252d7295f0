import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { goTime, protobufAny, uvarint } from './go-values.js';

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

describe('Go values in containerd metadata', () => {
  it('reads a Go binary time as containerd 1.6 wrote it (version 1, UTC)', () => {
    // createdat of a container made on this machine: 0x0ee2a049a7 s since year 1, 924490692 ns.
    expect(goTime(bytes('010000000ee2a049a7371a9bc4ffff'))).toBe('2026-12-01T04:52:55.924Z');
  });

  it('reads a version 2 time with a zone and reports it in UTC', () => {
    // The same instant written in a +01:00 zone (60 minutes, 0 extra seconds).
    expect(goTime(bytes('020000000ee2a049a7371a9bc4003c00'))).toBe('2026-12-01T04:52:55.924Z');
  });

  it('refuses a time of the wrong length or version', () => {
    expect(() => goTime(bytes('010000'))).toThrow(AppError);
    expect(() => goTime(bytes('090000000ee2a049a7371a9bc4ffff'))).toThrow(/version 9/);
  });

  it('decodes unsigned varints and refuses one that never ends', () => {
    expect(uvarint(bytes('05')).value).toBe(5n);
    expect(uvarint(bytes('ac02')).value).toBe(300n);
    expect(() => uvarint(bytes('ffffffff'))).toThrow(/varint/);
  });

  it('unwraps a protobuf Any and refuses one whose length runs past its bytes', () => {
    const any = protobufAny(
      bytes(`0a03${Buffer.from('a/b').toString('hex')}1202${Buffer.from('{}').toString('hex')}`),
    );
    expect(any.typeUrl).toBe('a/b');
    expect(Buffer.from(any.value).toString()).toBe('{}');
    expect(() => protobufAny(bytes('0a7f61'))).toThrow(/protobuf Any/);
  });
});
