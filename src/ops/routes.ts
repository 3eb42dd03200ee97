import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpsEndpoints } from '../domain/ops.js';

export const HEALTH_PATH = '/healthz';
export const METRICS_PATH = '/metrics';

export type { OpsEndpoints };

/** GET /healthz (JSON, 200 or 503 with the reason) and GET /metrics (Prometheus text format). */
export function healthRoute(ops: OpsEndpoints): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    const h = ops.health();
    res.writeHead(h.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(h.body));
  };
}

export function metricsRoute(ops: OpsEndpoints): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    ops.metrics().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(body);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('metrics unavailable\n');
      },
    );
  };
}

/** A request handler for both paths; anything else is 404. For a server of our own, or a framework's custom routes. */
export function opsHandler(ops: OpsEndpoints): (req: IncomingMessage, res: ServerResponse) => void {
  const health = healthRoute(ops);
  const metrics = metricsRoute(ops);
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === HEALTH_PATH) return health(req, res);
    if (req.method === 'GET' && path === METRICS_PATH) return metrics(req, res);
    res.writeHead(404).end();
  };
}
