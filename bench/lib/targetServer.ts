/**
 * The page the benchmarks probe: a tiny HTTP server answering every GET path (/, /page/N) with
 * 200 and a small HTML page containing "status: ok". It runs as its own process, so its CPU is
 * not counted against the exporter being measured.
 *
 *   node --import tsx bench/lib/targetServer.ts PORT
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: targetServer.ts PORT');
  process.exit(2);
}

// Built once: the server should cost as little as possible per request.
const BODY = Buffer.from(
  '<!doctype html>\n<html><head><title>bench target</title></head>\n' +
    '<body><h1>bench target</h1><p>status: ok</p></body></html>\n',
);
const HEADERS = { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(BODY.length) };

const server = createServer((req, res) => {
  // Drain any request body so the connection stays usable.
  req.resume();
  res.writeHead(200, HEADERS);
  res.end(BODY);
});
// Probers open a connection per probe; a deep backlog absorbs bursts of new connections.
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  console.log(`target server listening on 127.0.0.1:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
