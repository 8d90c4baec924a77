import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` on host:port (0: any free port); resolves with the port, rejects if taken. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Closes `server` and resolves once it is closed. With `drain`: idle connections are closed at
 * once and the rest only after `drain` has settled (the requests in flight are answered first).
 */
export async function closeServer(server: Server, drain?: () => Promise<unknown>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if (drain) {
    server.closeIdleConnections();
    await drain();
  }
  server.closeAllConnections();
  await closed;
}
