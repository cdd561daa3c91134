/**
 * Child process for `test/last-resort.test.ts`: an engine seeding two torrents under the last-resort
 * handler. One session's store starts failing with EIO and an error from it escapes every `catch`
 * (an un-awaited read); an unrelated exception is thrown from a timer. The handler must fail that one
 * session, log both, and keep the process running: a leecher then downloads the other torrent.
 * Prints one line per fact the test checks, then exits 0.
 */

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installLastResort } from '../../src/cli/last-resort.js';
import { Engine, FileStore } from '../../src/engine/index.js';
import { createTorrent, parseTorrent } from '../../src/torrent/index.js';

const dir = process.argv[2]!;
installLastResort({ name: 'child', log: (line) => process.stdout.write(`LOG ${line.split('\n')[0]}\n`) });

mkdirSync(join(dir, 'seed'), { recursive: true });
const make = async (name: string) => {
  const data = randomBytes(500_000);
  writeFileSync(join(dir, 'seed', name), data);
  const { torrent } = await createTorrent(join(dir, 'seed', name), { version: 'v1', pieceLength: 65536 });
  return { data, meta: parseTorrent(torrent) };
};
const x = await make('x.bin');
const y = await make('y.bin');
const seeder = new Engine({ host: '127.0.0.1' });
const port = await seeder.listen(0);
let broken = false;
const sx = await seeder.add(
  { meta: x.meta },
  {
    path: join(dir, 'seed'),
    storeFor: (m) => {
      const inner = new FileStore(m, join(dir, 'seed'), { readOnly: true });
      return {
        readOnly: true,
        read: (o, l) =>
          broken
            ? Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }))
            : inner.read(o, l),
        write: (o, d) => inner.write(o, d),
        close: () => inner.close(),
      };
    },
  },
);
const sy = await seeder.add({ meta: y.meta }, { path: join(dir, 'seed'), readOnly: true });
sx.once('failed', (reason) => process.stdout.write(`FAILED x ${(reason as NodeJS.ErrnoException).code}\n`));
broken = true;
void sx.store!.read(0, 10); // escapes: nobody catches it
setTimeout(() => {
  throw new Error('boom from a timer');
}, 10);
await new Promise((r) => setTimeout(r, 300));

const leecher = new Engine({ host: '127.0.0.1' });
await leecher.listen(0);
const ly = await leecher.add(
  { meta: y.meta },
  { path: join(dir, 'out'), peers: [{ host: '127.0.0.1', port }] },
);
if (!ly.complete) await new Promise((r) => ly.once('complete', () => r(undefined)));
const same = readFileSync(join(dir, 'out', 'y.bin')).equals(y.data);
process.stdout.write(`COMPLETE y ${same} x-running ${sx.running} y-running ${sy.running}\n`);
await leecher.close();
await seeder.close();
process.exit(0);
