// Refreshes a Cradle image repository with tuf-js and downloads one target.
//   node refresh.mjs <metadata base URL> <targets base URL> <trusted root.json> <work dir> <target path>
// Exit 0 and prints "OK <sha256>" when tuf-js accepted the repository and the
// target; exit 1 and prints "REFUSED <error name>: <message>" otherwise.
// TLS trust for the local CA comes from NODE_EXTRA_CA_CERTS.
import { Updater } from 'tuf-js';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [metadataBaseUrl, targetBaseUrl, rootPath, work, targetPath] = process.argv.slice(2);
if (!targetPath) {
  console.error('usage: node refresh.mjs METADATA_URL TARGETS_URL ROOT WORKDIR TARGET');
  process.exit(2);
}
const metadataDir = join(work, 'metadata');
const targetDir = join(work, 'targets');
mkdirSync(metadataDir, { recursive: true });
mkdirSync(targetDir, { recursive: true });
copyFileSync(rootPath, join(metadataDir, 'root.json'));

try {
  const updater = new Updater({ metadataDir, metadataBaseUrl, targetDir, targetBaseUrl });
  await updater.refresh();
  const info = await updater.getTargetInfo(targetPath);
  if (!info) throw Object.assign(new Error(`target ${targetPath} not listed`), { name: 'NotFound' });
  const file = await updater.downloadTarget(info, join(targetDir, 'download'));
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  console.log(`OK ${sha}`);
} catch (e) {
  console.log(`REFUSED ${e.name}: ${e.message}`);
  process.exit(1);
}
