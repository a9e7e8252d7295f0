import { AppError } from '../../errors.js';

/** Values containerd stores in bbolt with Go encodings, decoded from hostile bytes. */

// Seconds from 0001-01-01 (Go's zero time) to 1970-01-01.
const unixToInternal = 62_135_596_800n;

function invalid(what: string): AppError {
  return new AppError('input.invalid', `cannot decode ${what} from the volume's metadata`, {
    fix: 'The metadata may come from a containerd version this reader does not know; report it with the containerd version',
  });
}

/**
 * A Go `time.Time` in its `MarshalBinary` form (version 1: 15 bytes; version 2 adds a byte of
 * zone seconds) as an ISO 8601 UTC string; the zone is dropped because evidence times are UTC.
 */
export function goTime(bytes: Uint8Array): string {
  const version = bytes[0];
  if (!((version === 1 && bytes.byteLength === 15) || (version === 2 && bytes.byteLength === 16))) {
    throw invalid(`a Go time (version ${version}, ${bytes.byteLength} bytes)`);
  }
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seconds = data.getBigInt64(1, false) - unixToInternal;
  const nanoseconds = data.getInt32(9, false);
  const milliseconds = seconds * 1000n + BigInt(Math.floor(nanoseconds / 1e6));
  const date = new Date(Number(milliseconds));
  if (nanoseconds < 0 || nanoseconds >= 1e9 || Number.isNaN(date.getTime()))
    throw invalid('a Go time out of range');
  return date.toISOString();
}

/** An unsigned LEB128 varint (Go's `binary.Uvarint`), at most 64 bits. */
export function uvarint(bytes: Uint8Array, start = 0): { readonly value: bigint; readonly next: number } {
  let value = 0n;
  for (let index = start, shift = 0n; index < bytes.byteLength && shift < 70n; index++, shift += 7n) {
    const byte = bytes[index]!;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return { value: BigInt.asUintN(64, value), next: index + 1 };
  }
  throw invalid('a varint');
}

export interface ProtobufAny {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** A `google.protobuf.Any`: field 1 the type URL, field 2 the payload; other fields are refused. */
export function protobufAny(bytes: Uint8Array): ProtobufAny {
  let typeUrl = '';
  let value: Uint8Array = new Uint8Array();
  for (let at = 0; at < bytes.byteLength; ) {
    const tag = uvarint(bytes, at);
    const length = uvarint(bytes, tag.next);
    const end = length.next + Number(length.value);
    if ((tag.value & 7n) !== 2n || end > bytes.byteLength) throw invalid('a protobuf Any');
    const field = bytes.subarray(length.next, end);
    if (tag.value >> 3n === 1n) typeUrl = new TextDecoder().decode(field);
    else if (tag.value >> 3n === 2n) value = field;
    at = end;
  }
  return { typeUrl, value };
}
