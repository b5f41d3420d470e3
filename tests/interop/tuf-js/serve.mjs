// A static HTTP server for the interop tests: serves DIR on 127.0.0.1:PORT so
// tuf-js can be pointed at tampered copies of a repository.
//   node serve.mjs DIR PORT
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { join, normalize } from 'node:path';

const [dir, port] = process.argv.slice(2);
createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (path.includes('..')) { res.writeHead(400).end(); return; }
  const file = join(dir, path);
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    res.writeHead(200, { 'Content-Length': st.size });
    createReadStream(file).pipe(res);
  } catch {
    res.writeHead(404).end();
  }
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
