// An HTTPS stand-in for cradled that serves a directory of (tampered) files:
// GET /repo/... and /device/v1/director/... from ROOT, POST /device/v1/status
// appended to ROOT/status.log. It asks for a client certificate like cradled
// does, so the agent talks to it exactly as to the real server.
//   node mirror.mjs ROOT PORT CERT KEY
import { createServer } from 'node:https';
import { appendFileSync, createReadStream, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';

const [root, port, cert, key] = process.argv.slice(2);
createServer({ cert: readFileSync(cert), key: readFileSync(key), requestCert: true, rejectUnauthorized: false },
  (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'https://x').pathname));
    if (path.includes('..')) { res.writeHead(400).end(); return; }
    if (req.method === 'POST' && path === '/device/v1/status') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        appendFileSync(join(root, 'status.log'), body + '\n');
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
      return;
    }
    const file = join(root, path);
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      res.writeHead(200, { 'Content-Length': st.size });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  }).listen(Number(port), '127.0.0.1', () => console.log('listening'));
