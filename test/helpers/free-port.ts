import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 now (the OS picks it; it is closed again before it is handed back). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
