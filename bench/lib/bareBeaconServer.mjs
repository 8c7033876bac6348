/**
 * The physical limit bench/rum.ts sets vantage beside: a bare node:http server that reads each
 * request's body and answers 204, nothing else (no routing, no parsing, no counting). Whatever
 * vantage does per beacon beyond this is the collector's cost. Plain JavaScript run by `node`
 * itself, as vantage's compiled dist/ is (no tsx loader in the process being measured).
 *
 *   node bench/lib/bareBeaconServer.mjs PORT
 *
 * GET answers 200 (the bench polls it to know the server is up).
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: bareBeaconServer.mjs PORT');
  process.exit(2);
}

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ready\n');
    return;
  }
  // Read every chunk and drop it: the body crosses the socket and the parser, as vantage's does.
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(204).end();
  });
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
