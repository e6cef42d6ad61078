import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through HTTP proxy in front of sqld that counts the requests one node makes (libSQL's
 * client speaks Hrana over plain HTTP, one POST per pipeline): how a test sees a node's database
 * load without instrumenting the node.
 */
export async function startCountingProxy(target: string) {
  const upstream = new URL(target);
  const times: number[] = [];
  const server: Server = createServer((req, res) => {
    times.push(Date.now());
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Requests that arrived in [from, to). */
    between: (from: number, to: number) => times.filter((t) => t >= from && t < to).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
