/**
 * `npm run interop:matrix`: measures which BitTorrent clients load, join and exchange pieces in the
 * swarm of a v1, a hybrid and a v2 torrent of the same content (two files of odd sizes, so the
 * hybrid's BEP 47 padding matters), and prints the matrix as Markdown (docs/interop.md holds a run).
 *
 * For each format and client: does it open the torrent, and which v1 info hash does it compute. Then
 * for each downloader and each seeder of another kind: the seeder seeds a local copy, the downloader
 * gets the torrent (no web seed) and a recording tracker (`test/helpers/recording-tracker.ts`), which
 * is the only way they can meet; the row says which hashes the downloader announced, whether it
 * completed byte-exact (then every byte came from that seeder, the only peer), and how long it took.
 * Transmission 3 ignores 127.x peers from trackers, so it runs in a network namespace of its own
 * (`makeNetns`; root needed, else its rows say so). Options: `--formats v1,hybrid,v2`,
 * `--clients aria2c,transmission,libtorrent,seedcast`, `--timeout SECONDS` (per download, default 45).
 */

import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTorrent } from '../src/torrent/index.js';
import {
  CLIENTS,
  type ClientName,
  canMakeNetns,
  downloadWith,
  loadTorrent,
  makeNetns,
  type Netns,
  seedWith,
} from '../test/helpers/clients.js';
import { clientOfPeerId, startRecordingTracker } from '../test/helpers/recording-tracker.js';

type Format = 'v1' | 'hybrid' | 'v2';

const { values } = parseArgs({
  options: {
    formats: { type: 'string', default: 'v1,hybrid,v2' },
    clients: { type: 'string', default: CLIENTS.join(',') },
    timeout: { type: 'string', default: '45' },
  },
});
const formats = values.formats.split(',') as Format[];
const clients = values.clients.split(',') as ClientName[];
const timeoutMs = Number(values.timeout) * 1000;

const cleanups: (() => unknown)[] = [];
const c = { after: (fn: () => unknown) => cleanups.push(fn) };
async function cleanUp(list: (() => unknown)[]) {
  for (const fn of list.splice(0).reverse()) await fn();
}

const dir = mkdtempSync(join(tmpdir(), 'seedcast-matrix-'));
cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function main(): Promise<void> {
  const ns: Netns | undefined = canMakeNetns() ? makeNetns(c) : undefined;
  const host = ns?.hostIp ?? '127.0.0.1';
  const tracker = await startRecordingTracker(host);
  cleanups.push(() => tracker.close());

  const content = join(dir, 'content');
  const files = { 'a.bin': randomBytes(1024 * 1024 + 12_345), 'b.bin': randomBytes(600_001) };
  mkdirSync(join(content, 'Matrix'), { recursive: true });
  for (const [name, data] of Object.entries(files)) writeFileSync(join(content, 'Matrix', name), data);

  const out: string[] = [];
  const say = (line: string) => {
    out.push(line);
    process.stderr.write(`${line}\n`);
  };
  say(`Content: folder Matrix, a.bin ${files['a.bin'].length} B + b.bin ${files['b.bin'].length} B.`);
  say(
    `Tracker ${tracker.url}; Transmission ${ns ? `in namespace ${ns.name} (${ns.nsIp})` : 'on loopback (no netns: not root)'}.`,
  );
  say('');
  say('| format | client | loads | v1 info hash it computes |');
  say('|---|---|---|---|');
  const torrents = new Map<Format, { path: string; infoHash?: string; infoHashV2?: string }>();
  const loaded = new Map<string, boolean>();
  for (const format of formats) {
    const made = await createTorrent(join(content, 'Matrix'), {
      version: format,
      announce: [tracker.url],
      creationDate: null,
    });
    const path = join(dir, `${format}.torrent`);
    writeFileSync(path, made.torrent);
    torrents.set(format, { path, infoHash: made.infoHash, infoHashV2: made.infoHashV2 });
    for (const client of clients) {
      const l = loadTorrent(client, path);
      loaded.set(`${format}/${client}`, l.ok);
      const hash = l.infoHash
        ? `${l.infoHash.slice(0, 12)}… ${l.infoHash === made.infoHash ? "(the torrent's)" : '**(another)**'}`
        : '–';
      say(`| ${format} | ${client} | ${l.ok ? 'yes' : `no: ${l.message.replace(/\|/g, '/')}`} | ${hash} |`);
    }
  }

  say('');
  say(
    '| format | downloader | seeder | hashes the downloader announced | completed byte-exact from the seeder | seconds |',
  );
  say('|---|---|---|---|---|---|');
  for (const format of formats) {
    const torrent = torrents.get(format)!;
    for (const down of clients) {
      for (const up of clients) {
        if (up === down) continue;
        const row = `| ${format} | ${down} | ${up} |`;
        if (!loaded.get(`${format}/${down}`) || !loaded.get(`${format}/${up}`)) {
          say(`${row} – | no: ${!loaded.get(`${format}/${down}`) ? down : up} cannot open it | – |`);
          continue;
        }
        const run: (() => unknown)[] = [];
        const rc = { after: (fn: () => unknown) => run.push(fn) };
        const seedData = join(dir, `seed-${format}-${down}-${up}`);
        cpSync(content, seedData, { recursive: true });
        const dest = join(dir, `down-${format}-${down}-${up}`);
        tracker.reset(); // a fresh swarm: no dead peers of earlier runs
        const before = tracker.announces.length;
        let result = '';
        try {
          await seedWith(rc, up, {
            torrent: torrent.path,
            data: seedData,
            dir,
            ...(up === 'transmission' && ns ? { ns } : {}),
          });
          const got = await downloadWith(rc, down, {
            torrent: torrent.path,
            out: dest,
            dir,
            ms: timeoutMs,
            ...(down === 'transmission' && ns ? { ns } : {}),
          });
          const exact = Object.entries(files).every(([name, data]) => {
            try {
              return sha(readFileSync(join(dest, 'Matrix', name))) === sha(data);
            } catch {
              return false;
            }
          });
          const hashes = [
            ...new Set(
              tracker.announces
                .slice(before)
                .filter((a) => clientOfPeerId(a.peerId) === down)
                .map((a) =>
                  a.infoHash === torrent.infoHash
                    ? 'v1'
                    : a.infoHash === torrent.infoHashV2?.slice(0, 40)
                      ? 'v2 (truncated)'
                      : `**another: ${a.infoHash.slice(0, 8)}…**`,
                ),
            ),
          ];
          const fromPeer = got.peers?.length
            ? ` (${got.peers.map((p) => `${p.received} B from ${p.client || p.ip}`).join(', ')})`
            : '';
          result = `${row} ${hashes.join(', ') || 'none'} | ${got.ok && exact ? 'yes' : got.ok ? 'finished, bytes differ' : 'no'}${fromPeer} | ${got.seconds.toFixed(1)} |`;
        } catch (err) {
          result = `${row} – | error: ${String((err as Error).message)
            .split('\n')[0]!
            .slice(0, 120)} | – |`;
        } finally {
          await cleanUp(run);
          rmSync(seedData, { recursive: true, force: true });
          rmSync(dest, { recursive: true, force: true });
        }
        say(result);
      }
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main()
  .catch((err) => {
    process.stderr.write(`interop-matrix: ${(err as Error).stack}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanUp(cleanups));
