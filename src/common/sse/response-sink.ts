import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Writes a streamed response's body text, every frame of every stream: through `res.write` until the
 * response is the socket's current one, its head sent and nothing held in its own buffer; from then on,
 * when the body is chunked (HTTP/1.1), straight to the socket as one HTTP chunk, corked until the end of
 * the tick as `res.write` does. Same bytes on the wire, one piece instead of `res.write`'s four, and none of
 * its per-call work, which Express makes slow: it gives every response its own prototype, so that every
 * property `res.write` reads misses V8's inline caches (docs/decisions/0010). The head, a response that
 * waits behind another on a kept-alive connection, and an HTTP/1.0 body go through `res.write`.
 */
export class ResponseSink {
  private socket: Socket | null = null;
  private drainListener: (() => void) | null = null;

  constructor(private readonly res: ServerResponse) {}

  /** False when the client's buffers are full: wait for the drain listener before writing more. */
  write(text: string): boolean {
    const socket = this.socket ?? this.adoptSocket();
    if (socket === null) return this.res.write(text);
    if (socket.destroyed) return true; // the client is gone; its close ends the stream
    if (!socket.writableCorked) {
      socket.cork();
      process.nextTick(uncork, socket);
    }
    return socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
  }

  /** `listener` runs when a full buffer has drained: the response's, or the socket's once written to directly. */
  onDrain(listener: () => void): void {
    this.drainListener = listener;
    this.res.on('drain', listener);
    this.socket?.on('drain', listener);
  }

  offDrain(): void {
    if (!this.drainListener) return;
    this.res.off('drain', this.drainListener);
    this.socket?.off('drain', this.drainListener);
    this.drainListener = null;
  }

  /** The socket, once bytes written to it land right after what `res` sent; null until then. */
  private adoptSocket(): Socket | null {
    const { res } = this;
    const socket = res.socket;
    // `res.socket` is set only while `res` is the socket's current response; `writableLength` counts what `res`
    // holds itself on top of the socket's own buffer.
    if (!socket || !res.headersSent || !res.chunkedEncoding || res.writableLength !== socket.writableLength) {
      return null;
    }
    this.socket = socket;
    if (this.drainListener) socket.on('drain', this.drainListener);
    return socket;
  }
}

function uncork(socket: Socket): void {
  socket.uncork();
}
