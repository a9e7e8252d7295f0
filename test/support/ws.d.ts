// The part of the `ws` package (installed with @kubernetes/client-node, which has no types for
// it here) that the exec test peer uses: a server that takes over HTTP upgrades.
declare module 'ws' {
  import type { IncomingMessage } from 'node:http';
  import type { Duplex } from 'node:stream';

  export interface PeerSocket {
    send(data: Buffer): void;
    close(code?: number): void;
    terminate(): void;
  }

  export class WebSocketServer {
    constructor(options: {
      noServer: true;
      handleProtocols?: (offered: Set<string>, request: IncomingMessage) => string | false;
    });
    readonly clients: Set<PeerSocket>;
    handleUpgrade(
      request: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      done: (socket: PeerSocket) => void,
    ): void;
  }
}
