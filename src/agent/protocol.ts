import type { ExecResult, KubeRequest } from '../kube/index.js';

/**
 * The frames of the agent tunnel, one WebSocket message each. Control frames are JSON text;
 * exec output is binary: one byte for the stream, four for the call id (big-endian), then the
 * bytes. Every call carries an id chosen by the side that asks, so many calls share one socket.
 */
export type CallerFrame =
  | { readonly type: 'request'; readonly id: number; readonly request: KubeRequest }
  | { readonly type: 'exec'; readonly id: number; readonly exec: ExecSpec }
  /** The caller has written this many more bytes of an exec's output: the agent may send as many. */
  | { readonly type: 'credit'; readonly id: number; readonly bytes: number }
  | { readonly type: 'cancel'; readonly id: number };

export type AnswerFrame =
  | { readonly type: 'response'; readonly id: number; readonly text: string }
  | { readonly type: 'failure'; readonly id: number; readonly error: WireError }
  | { readonly type: 'exit'; readonly id: number; readonly result: ExecResult }
  /** First frame of an agent: what it runs against. */
  | { readonly type: 'hello'; readonly hello: AgentHello };

export interface ExecSpec {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly command: readonly string[];
  readonly timeoutMs?: number;
}

export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly fix?: string;
}

/** What an agent says of itself and its cluster when it connects. */
export interface AgentHello {
  readonly version: string;
  /** The kube-system namespace's uid, when the agent may read it: the cluster's own stable id. */
  readonly clusterUid?: string;
  readonly kubernetesVersion?: string;
}

export type StreamName = 'stdout' | 'stderr';

export interface DataFrame {
  readonly type: 'data';
  readonly id: number;
  readonly stream: StreamName;
  readonly bytes: Buffer;
}

/** Largest message either side accepts (a JSON list answer can be large; exec data is chunked). */
export const maxFrameBytes = 32 * 1024 * 1024;
/** Exec output is sent in pieces of at most this size. */
export const dataChunkBytes = 256 * 1024;
/** Bytes of one exec the agent may send before the caller acknowledges them. */
export const execWindowBytes = 4 * 1024 * 1024;

const streamCodes: Record<StreamName, number> = { stdout: 1, stderr: 2 };

export function encodeData(frame: Omit<DataFrame, 'type'>): Buffer {
  const header = Buffer.alloc(5);
  header[0] = streamCodes[frame.stream];
  header.writeUInt32BE(frame.id, 1);
  return Buffer.concat([header, frame.bytes]);
}

export function encodeFrame(frame: CallerFrame | AnswerFrame): string {
  return JSON.stringify(frame);
}

/** A frame that cannot be taken: the reason, for the log and the peer. */
export interface InvalidFrame {
  readonly type: 'invalid';
  readonly reason: string;
}

const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;

function parseData(bytes: Buffer): DataFrame | InvalidFrame {
  if (bytes.length < 5) return { type: 'invalid', reason: `a binary frame of ${bytes.length} bytes` };
  const stream = bytes[0] === 1 ? 'stdout' : bytes[0] === 2 ? 'stderr' : undefined;
  if (!stream) return { type: 'invalid', reason: `unknown stream ${bytes[0]} in a binary frame` };
  return { type: 'data', id: bytes.readUInt32BE(1), stream, bytes: bytes.subarray(5) };
}

/** Parses one message from the caller side; hostile input gives an `invalid` frame, never a throw. */
export function parseCallerFrame(data: Buffer, isBinary: boolean): CallerFrame | InvalidFrame {
  const parsed = parseJson(data, isBinary);
  if (parsed.type === 'invalid') return parsed;
  const { object } = parsed;
  const { type, id } = object;
  if (!isId(id)) return { type: 'invalid', reason: `a ${String(type)} frame without a valid id` };
  switch (type) {
    case 'request':
      return isRequest(object.request)
        ? { type, id, request: object.request }
        : { type: 'invalid', reason: 'a request frame without a valid request' };
    case 'exec':
      return isExecSpec(object.exec)
        ? { type, id, exec: object.exec }
        : { type: 'invalid', reason: 'an exec frame without a valid exec' };
    case 'credit':
      return typeof object.bytes === 'number' && object.bytes > 0 && Number.isSafeInteger(object.bytes)
        ? { type, id, bytes: object.bytes }
        : { type: 'invalid', reason: 'a credit frame without a positive byte count' };
    case 'cancel':
      return { type, id };
    default:
      return { type: 'invalid', reason: `unknown frame type ${JSON.stringify(type)?.slice(0, 40)}` };
  }
}

/** Parses one message from the answering side (the agent); binary messages are exec output. */
export function parseAnswerFrame(data: Buffer, isBinary: boolean): AnswerFrame | DataFrame | InvalidFrame {
  if (isBinary) return parseData(data);
  const parsed = parseJson(data, isBinary);
  if (parsed.type === 'invalid') return parsed;
  const { object } = parsed;
  const { type, id } = object;
  if (type === 'hello')
    return isHello(object.hello) ? { type, hello: object.hello } : { type: 'invalid', reason: 'a bad hello' };
  if (!isId(id)) return { type: 'invalid', reason: `a ${String(type)} frame without a valid id` };
  switch (type) {
    case 'response':
      return typeof object.text === 'string'
        ? { type, id, text: object.text }
        : { type: 'invalid', reason: 'a response frame without text' };
    case 'failure':
      return isWireError(object.error)
        ? { type, id, error: object.error }
        : { type: 'invalid', reason: 'a failure frame without an error' };
    case 'exit':
      return isExecResult(object.result)
        ? { type, id, result: object.result }
        : { type: 'invalid', reason: 'an exit frame without a result' };
    default:
      return { type: 'invalid', reason: `unknown frame type ${JSON.stringify(type)?.slice(0, 40)}` };
  }
}

type Json = Record<string, unknown>;

function parseJson(data: Buffer, isBinary: boolean): { type: 'json'; object: Json } | InvalidFrame {
  if (isBinary) return { type: 'invalid', reason: 'a binary frame where JSON was expected' };
  if (data.length > maxFrameBytes) return { type: 'invalid', reason: `a frame of ${data.length} bytes` };
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return { type: 'json', object: value as Json };
    return { type: 'invalid', reason: 'a frame that is not a JSON object' };
  } catch {
    // The parser's message would echo the hostile bytes; the size says enough.
    return { type: 'invalid', reason: `a frame of ${data.length} bytes that is not JSON` };
  }
}

const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const patchTypes = new Set(['merge', 'strategic', 'json']);
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max;

function isRequest(value: unknown): value is KubeRequest {
  if (!isObject(value) || !isText(value.path, 4096)) return false;
  if (value.method !== undefined && !methods.has(value.method as string)) return false;
  if (value.patchType !== undefined && !patchTypes.has(value.patchType as string)) return false;
  if (value.timeoutMs !== undefined && !(typeof value.timeoutMs === 'number' && value.timeoutMs > 0))
    return false;
  if (value.query === undefined) return true;
  return (
    isObject(value.query) &&
    Object.values(value.query).every((item) => typeof item === 'string' || typeof item === 'number')
  );
}

function isExecSpec(value: unknown): value is ExecSpec {
  return (
    isObject(value) &&
    isText(value.namespace, 253) &&
    isText(value.pod, 253) &&
    isText(value.container, 253) &&
    Array.isArray(value.command) &&
    value.command.length > 0 &&
    value.command.length <= 256 &&
    value.command.every((word) => isText(word, 1024 * 1024)) &&
    (value.timeoutMs === undefined || (typeof value.timeoutMs === 'number' && value.timeoutMs > 0))
  );
}

function isWireError(value: unknown): value is WireError {
  return (
    isObject(value) &&
    isText(value.code, 100) &&
    isText(value.message, 64 * 1024) &&
    (value.fix === undefined || isText(value.fix, 4096))
  );
}

function isExecResult(value: unknown): value is ExecResult {
  return (
    isObject(value) &&
    (value.status === 'Success' || value.status === 'Failure') &&
    isText(value.message, 64 * 1024) &&
    (value.exitCode === undefined || value.exitCode === null || Number.isInteger(value.exitCode))
  );
}

function isHello(value: unknown): value is AgentHello {
  return (
    isObject(value) &&
    isText(value.version, 100) &&
    (value.clusterUid === undefined || isText(value.clusterUid, 100)) &&
    (value.kubernetesVersion === undefined || isText(value.kubernetesVersion, 100))
  );
}
