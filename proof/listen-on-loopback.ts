import type { AddressInfo, Server, Socket } from 'node:net';

/** A server listening on 127.0.0.1. */
export interface LoopbackListener {
  readonly url: string;
  /** Drops every open connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts `server` (an HTTP or a raw TCP server) on a free port of 127.0.0.1 and keeps its
 * connections, so that closing it also ends the keep-alive connections a client still holds.
 */
export async function listenOnLoopback(server: Server): Promise<LoopbackListener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
