import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatRuntime } from '../../app/runtime.js';

export const HEALTH_PATH = '/healthz';

/** `GET /healthz`: 200 with the version and the watcher's last tick (null before the first). */
export function healthHandler(runtime: Pick<ChatRuntime, 'version' | 'lastTickAt'>): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    const body = JSON.stringify({ status: 'ok', version: runtime.version, lastTickAt: runtime.lastTickAt() ?? null });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(body);
  };
}
