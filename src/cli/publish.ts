/**
 * `seedcast publish`: publishes a file or folder to a Seedcast site through its API
 * (`POST /api/v1/items`, multipart, `Authorization: Bearer`). Files are streamed from disk, never
 * read whole into memory. A single file goes up with tus first (`tus-upload.ts`), so a publish cut
 * short resumes when run again; then the item is published with `upload`. A folder is sent as one
 * multipart request. With `--torrent-only` only a `.torrent` (v1, or hybrid with `--hybrid`) naming the site's tracker
 * (`<server>/announce`) is sent (the `torrent` part) and this process seeds the content until
 * stopped; a site that archives downloads it from here.
 */

import { openAsBlob } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { ITEM_FIELD_NAMES, ITEM_FIELDS } from '../catalog/item-fields.js';
import { Engine } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { watchArchive } from './archive-watch.js';
import { intFlag, parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';
import {
  DHT_FLAGS,
  DHT_HELP,
  debugLog,
  dhtOption,
  listenWithFallback,
  waitForSignal,
} from './engine-helpers.js';
import { createProgressBar } from './progress.js';
import { reportStatus } from './status.js';
import { type TusUploaded, tusUpload } from './tus-upload.js';

/** The item's fields as flags: the declared ones (`src/catalog/item-fields.ts`) and the others. */
const FIELDS = [...ITEM_FIELD_NAMES, 'license', 'tags', 'channel'] as const;

/** `--name VALUE   help` for the declared fields other than the title. */
const fieldHelp = ITEM_FIELDS.filter((f) => f.name !== 'title')
  .map((f) => `  ${`--${f.name} ${f.type === 'integer' ? 'N' : 'TEXT'}`.padEnd(19)}${f.api}`)
  .join('\n');

export const publish: Command = {
  help: `Usage: seedcast publish <path> --server URL --token T [--title ...] [--description ...]
                        [--license ...] [--tags a,b] [--torrent-only [--hybrid]]
                        [--no-dht] [--dht-bootstrap HOST:PORT]...

Publishes a file or folder to a Seedcast site. The site stores it, makes its torrent and seeds it.
Prints the item's URL, its torrent URL and its magnet link. A single file is uploaded with tus
(resumable): if the upload is cut short, run the same command again and it continues where the
site says it stopped.

Options:
  --server URL       the site, e.g. https://media.example.org
  --token T          an API token (POST /api/v1/tokens, or the site's account page)
  --title TEXT       the item's title (default: the file or folder name)
${fieldHelp}
  --license L        a Creative Commons URL or an SPDX id, e.g. CC-BY-4.0
  --tags a,b         comma-separated tags
  --channel NAME     the channel to publish in
  --torrent-only     send only a .torrent (made here) and seed the content from this machine
                     until Ctrl-C; the site tracks it (and may archive it through the swarm)
  --hybrid           with --torrent-only: make a hybrid v1+v2 torrent (default v1, which every
                     client joins; see docs/interop.md)
  --port N           with --torrent-only: TCP port for peers (default 6881 or any free port)
${DHT_HELP}
  -h, --help         show this help`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      server: { type: 'string' },
      token: { type: 'string' },
      'torrent-only': { type: 'boolean' },
      hybrid: { type: 'boolean' },
      ...DHT_FLAGS,
      port: { type: 'string' },
      ...Object.fromEntries(FIELDS.map((f) => [f, { type: 'string' as const }])),
    });
    const [path, ...extra] = args.positionals;
    if (path === undefined) throw new SeedcastError('USAGE', 'give the file or folder to publish');
    if (extra.length > 0) throw new SeedcastError('USAGE', `unexpected argument "${extra[0]}"`);
    const server = stringFlag(args, 'server');
    const token = stringFlag(args, 'token');
    if (!server || !/^https?:\/\//.test(server))
      throw new SeedcastError('USAGE', '--server must be an http(s) URL');
    if (!token) throw new SeedcastError('USAGE', '--token is required');
    const dht = dhtOption(args); // bad DHT flags are usage errors before any work
    const info = await stat(path).catch(() => {
      throw new SeedcastError('NOT_FOUND', `${path} does not exist`);
    });

    const form = new FormData();
    for (const field of FIELDS) {
      const value = stringFlag(args, field);
      if (value !== undefined) form.set(field, value);
    }
    if (!form.has('title')) form.set('title', basename(path));

    const torrentOnly = args.values['torrent-only'] === true;
    let torrentBytes: Buffer | undefined;
    let uploaded: TusUploaded | undefined;
    if (torrentOnly) {
      // The site's tracker, so this seeder and the site's archiver find each other.
      const announce = new URL('announce', server.endsWith('/') ? server : `${server}/`).href;
      torrentBytes = (
        await createTorrent(path, {
          version: args.values.hybrid === true ? 'hybrid' : 'v1',
          announce: [announce],
        })
      ).torrent;
      form.set(
        'torrent',
        new Blob([torrentBytes], { type: 'application/x-bittorrent' }),
        `${basename(path)}.torrent`,
      );
    } else if (info.isFile()) {
      const bar = createProgressBar({ label: 'uploading' });
      try {
        uploaded = await tusUpload({
          server,
          token,
          path,
          onProgress: (done, total) => bar.update(done, total),
        });
      } finally {
        bar.finish();
      }
      if (uploaded) {
        if (uploaded.resumedFrom > 0)
          process.stderr.write(`resumed the upload at ${uploaded.resumedFrom} of ${info.size} bytes\n`);
        form.set('upload', uploaded.id);
      } else {
        form.append('file', await openAsBlob(path), basename(path)); // a site without tus
      }
    } else {
      for (const file of info.isDirectory() ? await listFiles(path) : [path]) {
        const name = info.isDirectory() ? relative(dirname(path), file).split(sep).join('/') : basename(file);
        form.append('file', await openAsBlob(file), name);
      }
    }

    const item = await postItem(new URL('/api/v1/items', server), { form, token });
    await uploaded?.forget();
    process.stdout.write(
      `published: ${item.url}\ntorrent:   ${item.torrentUrl}\nmagnet:    ${item.magnet}\n`,
    );
    if (!torrentOnly) return 0;

    const meta = parseTorrent(torrentBytes!);
    const engine = new Engine({ ...debugLog(), dht });
    const port = await listenWithFallback(engine, intFlag(args, 'port'));
    const session = await engine.add({ meta }, { path: dirname(path), readOnly: true });
    process.stdout.write(`seeding ${meta.name} on port ${port}; press Ctrl-C to stop\n`);
    const status = reportStatus(() => session.stats());
    // Where the site's archiving stands: keep seeding until it says archived.
    const stopWatching = watchArchive(new URL(`/api/v1/items/${item.id}`, server), (line) =>
      process.stdout.write(line),
    );
    await waitForSignal();
    stopWatching();
    status.stop();
    await engine.close();
    return 0;
  },
};

interface PublishedItem {
  id: string | number;
  url: string;
  torrentUrl: string;
  magnet: string;
  infoHash: string;
}

async function postItem(url: URL, request: { form: FormData; token: string }): Promise<PublishedItem> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body: request.form,
      headers: { Authorization: `Bearer ${request.token}` },
    });
  } catch (err) {
    throw new SeedcastError('NOT_FOUND', `cannot reach ${url.origin}: ${(err as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as
    | (PublishedItem & { error?: { code: string; message: string } })
    | undefined;
  if (!response.ok) {
    const reason = body?.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`;
    throw new SeedcastError('INTERNAL', `the site refused the item (${reason})`);
  }
  if (!body?.url) throw new SeedcastError('INTERNAL', 'the site answered without an item');
  return body;
}

/** Every regular file under `dir`, in a stable order. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
