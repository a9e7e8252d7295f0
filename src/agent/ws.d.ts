// The part of the `ws` package (installed with @kubernetes/client-node, which has no types for it
// here) that the agent tunnel and the exec test peer use.
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
  import type { Duplex } from 'node:stream';

  export interface ClientOptions {
    headers?: Record<string, string>;
    readonly agent?: Agent;
    readonly maxPayload?: number;
    readonly handshakeTimeout?: number;
    readonly perMessageDeflate?: boolean;
    readonly ca?: string | Buffer;
  }

  export class WebSocket extends EventEmitter {
    constructor(address: string, options?: ClientOptions);
    static readonly OPEN: number;
    readonly readyState: number;
    readonly bufferedAmount: number;
    send(data: string | Buffer, callback?: (error?: Error) => void): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
    ping(): void;
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
    on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(
      event: 'unexpected-response',
      listener: (request: ClientRequest, response: IncomingMessage) => void,
    ): this;
    on(event: 'open' | 'ping' | 'pong', listener: () => void): this;
  }

  export type PeerSocket = WebSocket;

  export class WebSocketServer {
    constructor(options: {
      noServer: true;
      maxPayload?: number;
      perMessageDeflate?: boolean;
      handleProtocols?: (offered: Set<string>, request: IncomingMessage) => string | false;
    });
    readonly clients: Set<WebSocket>;
    handleUpgrade(
      request: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      done: (socket: WebSocket) => void,
    ): void;
  }

  export default WebSocket;
}
