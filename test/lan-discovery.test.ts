/**
 * Local service discovery (BEP 14) between real processes on one LAN: a private network namespace
 * whose loopback carries multicast (`helpers/netns.ts`), a torrent with no tracker and no web seed,
 * and no other way for the peers to meet (no DHT can reach anything from inside the namespace).
 *
 * 1. `seedcast seed` and `seedcast download` find each other through LSD alone and the download is
 *    byte-exact; with `--no-lsd` the same download finds nobody. By magnet (no `tr=`) too, for
 *    `seedcast download` and libtorrent: the metadata comes from the seed found through LSD.
 * 2. libtorrent (python3-libtorrent, `enable_lsd`) parses our announces: it downloads a hybrid
 *    torrent from `seedcast seed` after logging our announces of its v1 and truncated v2 hashes
 *    (`<== LSD: 127.0.0.1:PORT ih: HASH`).
 * 3. We parse libtorrent's: `seedcast download`, started before libtorrent's seed exists (so
 *    libtorrent never hears our start announce), dials the seed it announced and completes.
 * 4. Junk on the group (oversized, wrong Host, bad ports, 20 ports of one address, then
 *    500 random datagrams) is dropped: the seed logs the drops, keeps running and still serves a download.
 * 5. A private torrent (BEP 27) is never announced, while a public one beside it is.
 * 5b. Over IPv6 alone (`[ff15::efc0:988f]:6771` on a veth pair): seed and download meet.
 * 6. aria2c (`--bt-enable-lpd`) parses our announces and downloads from `seedcast seed`; and we
 *    parse aria2's (no cookie): `seedcast download` dials an aria2c seed that announced.
 * 7. Transmission 3.00 (`lpd-enabled`) parses our announces (its log names our port), and
 *    `seedcast seed` serves it after parsing its announce (upper-case hex, no cookie). Transmission
 *    3 does not dial loopback peers, so here only the second direction carries data.
 *
 * Needs root, iproute2, libtorrent, aria2c and transmission-cli: skipped loudly without them, a failure under CI=true.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { cliArgv } from './helpers/cli-entry.js';
import { multicastNamespace, type Namespace } from './helpers/netns.js';
import { LIBTORRENT_PYTHON, requireTools, runCli, start, tempDir } from './helpers/tools.js';

const TSX = import.meta.resolve('tsx');
const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;
const PROBE = new URL('./helpers/lsd-probe.ts', import.meta.url).pathname;

/** A 3 MB episode and its trackerless torrent. */
async function episode(t: TestContext, options: { private?: boolean; hybrid?: boolean } = {}) {
  const dir = tempDir(t, 'seedcast-lsd-');
  mkdirSync(join(dir, 'seed'));
  const data = randomBytes(3_000_000);
  writeFileSync(join(dir, 'seed', 'episode.ogg'), data);
  const torrent = join(dir, 'episode.torrent');
  const created = await runCli([
    'create',
    join(dir, 'seed', 'episode.ogg'),
    '-o',
    torrent,
    ...(options.private ? ['--private'] : []),
    ...(options.hybrid ? ['--hybrid'] : []),
  ]);
  assert.equal(created.code, 0, created.stderr);
  const infoHash = /infoHash:\s+([0-9a-f]{40})/.exec(created.stdout)![1]!;
  const infoHashV2 = /infoHashV2:\s+([0-9a-f]{64})/.exec(created.stdout)?.[1];
  return { dir, data, torrent, infoHash, infoHashV2, file: join(dir, 'seed', 'episode.ogg') };
}

function seedcast(t: TestContext, ns: Namespace, args: string[]) {
  return start(t, ...ns.wrap(process.execPath, cliArgv(args)), {
    env: { SEEDCAST_DEBUG: '1', SEEDCAST_LSD: '', SEEDCAST_DHT: '0' }, // no DHT once i16-dht is merged
  });
}

function probe(t: TestContext, ns: Namespace, args: string[]) {
  return start(t, ...ns.wrap(process.execPath, ['--import', TSX, PROBE, ...args]));
}

/** aria2c with only LPD (BEP 14) to find peers, its info log on stdout. */
function aria2(t: TestContext, ns: Namespace, torrent: string, dir: string, port: number, seed: boolean) {
  const args = [
    `--dir=${dir}`,
    `--listen-port=${port}`,
    '--bt-enable-lpd=true',
    '--enable-dht=false',
    '--enable-dht6=false',
    '--enable-peer-exchange=false',
    '--bt-save-metadata=false',
    '--file-allocation=none',
    '--summary-interval=0',
    '--console-log-level=warn',
    '--log=-',
    '--log-level=info',
    ...(seed ? ['--check-integrity=true', '--seed-ratio=0.0'] : ['--seed-time=0']),
    torrent,
  ];
  return start(t, ...ns.wrap('aria2c', args));
}

/** transmission-cli with only LPD (BEP 14) to find peers; its log (message-level 3) on stdout. */
function transmission(t: TestContext, ns: Namespace, torrent: string, dir: string, port: number) {
  const config = join(dir, 'transmission');
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, 'settings.json'),
    JSON.stringify({
      'lpd-enabled': true,
      'dht-enabled': false,
      'pex-enabled': false,
      'utp-enabled': false,
      'port-forwarding-enabled': false,
      'peer-port': port,
      'message-level': 3,
    }),
  );
  return start(t, ...ns.wrap('transmission-cli', ['-g', config, '-w', join(dir, 'tr-out'), torrent]));
}

function libtorrent(t: TestContext, ns: Namespace, mode: 'seed' | 'download', torrent: string, save: string) {
  const script = `import sys; sys.path.insert(0, ${JSON.stringify(dirname(LT_TOOL))}); import lt_tool; lt_tool.lsd_main()`;
  return start(t, ...ns.wrap(LIBTORRENT_PYTHON, ['-c', script, mode, torrent, save]));
}

describe('local service discovery (BEP 14) on one LAN', { timeout: 170_000 }, () => {
  it('seedcast seed and seedcast download find each other through LSD alone', async (t) => {
    const ns = multicastNamespace(t);
    if (!ns) return;
    const { dir, data, torrent, file } = await episode(t);
    const seed = seedcast(t, ns, ['seed', torrent, file, '--port', '7001', '-q']);
    await seed.waitFor(/seeding episode\.ogg .* on port 7001/);

    // Without LSD the download has no way to meet the seed.
    const alone = seedcast(t, ns, ['download', torrent, '-o', join(dir, 'alone'), '--no-lsd']);
    await new Promise((r) => setTimeout(r, 6000));
    assert.doesNotMatch(alone.output(), /complete:/, 'no tracker, no DHT, no LSD: nobody to download from');
    await alone.stop('SIGKILL');

    const down = seedcast(t, ns, ['download', torrent, '-o', join(dir, 'out')]);
    await down.waitFor(/complete: /, 60_000);
    assert.equal(await down.exited, 0, down.output());
    assert.ok(readFileSync(join(dir, 'out', 'episode.ogg')).equals(data), 'byte-exact');
    assert.match(
      seed.output(),
      /peer 127\.0\.0\.1:\d+ connected/,
      'the seed dialled the announcing download',
    );
    await seed.stop();
  });

  it('libtorrent downloads a hybrid torrent from seedcast seed after parsing our announces', async (t) => {
    const ns = multicastNamespace(t);
    if (!ns || !requireTools(t, 'libtorrent')) return;
    const { dir, data, torrent, infoHash, infoHashV2, file } = await episode(t, { hybrid: true });
    const lt = libtorrent(t, ns, 'download', torrent, join(dir, 'lt'));
    await lt.waitFor(/"port"/);
    const seed = seedcast(t, ns, ['seed', torrent, file, '--port', '7002', '-q']);
    await lt.waitFor(new RegExp(`<== LSD: 127\\.0\\.0\\.1:7002 ih: ${infoHash}`, 'i'), 30_000);
    // A hybrid torrent is announced under its truncated v2 hash too, as libtorrent does.
    await lt.waitFor(
      new RegExp(`<== LSD: 127\\.0\\.0\\.1:7002 ih: ${infoHashV2!.slice(0, 40)}`, 'i'),
      30_000,
    );
    await lt.waitFor(/"complete"/, 60_000);
    assert.ok(readFileSync(join(dir, 'lt', 'episode.ogg')).equals(data), 'byte-exact');
    lt.child.stdin!.end();
    await lt.exited;
    await seed.stop();
  });

  it("seedcast download finds libtorrent's seed through its announce", async (t) => {
    const ns = multicastNamespace(t);
    if (!ns || !requireTools(t, 'libtorrent')) return;
    const { dir, data, torrent, file } = await episode(t);
    const down = seedcast(t, ns, ['download', torrent, '-o', join(dir, 'out'), '--port', '7003']);
    await down.waitFor(/peers|%/); // running (its one-line status), its start announce sent
    const lt = libtorrent(t, ns, 'seed', torrent, join(file, '..'));
    await lt.waitFor(/"port"/);
    await down.waitFor(/complete: /, 60_000);
    assert.equal(await down.exited, 0, down.output());
    assert.ok(readFileSync(join(dir, 'out', 'episode.ogg')).equals(data), 'byte-exact');
    assert.doesNotMatch(lt.output(), /<== LSD: 127\.0\.0\.1:7003/, 'libtorrent never heard our announce');
    assert.match(lt.output(), /==> LSD/, 'libtorrent announced');
    lt.child.stdin!.end();
    await lt.exited;
  });

  it('drops junk on the group and keeps serving', async (t) => {
    const ns = multicastNamespace(t);
    if (!ns) return;
    const { dir, data, torrent, infoHash, file } = await episode(t);
    const seed = seedcast(t, ns, ['seed', torrent, file, '--port', '7004', '-q']);
    await seed.waitFor(/seeding episode\.ogg/);
    const flood = probe(t, ns, ['flood', infoHash]);
    await flood.waitFor(/"sent":\d+/);
    assert.equal(await flood.exited, 0);
    await seed.waitFor(/dropped a datagram from 127\.0\.0\.1: oversized/);
    assert.match(seed.output(), /dropped a datagram from 127\.0\.0\.1: wrong Host/);
    assert.match(seed.output(), /dropped a datagram from 127\.0\.0\.1: bad Port/);
    assert.match(seed.output(), /dropped a datagram from 127\.0\.0\.1: malformed Infohash/);
    const logged = seed.output().match(/dropped a datagram/g)?.length ?? 0;
    assert.ok(logged <= 130, `the flood was rate limited (${logged} datagrams looked at)`);
    assert.equal(seed.child.exitCode, null, 'the seed is still running');
    await new Promise((r) => setTimeout(r, 1500)); // the flood's source (127.0.0.1, as every peer here) refills
    const down = seedcast(t, ns, ['download', torrent, '-o', join(dir, 'out')]);
    await down.waitFor(/complete: /, 60_000);
    assert.ok(readFileSync(join(dir, 'out', 'episode.ogg')).equals(data), 'byte-exact');
    await seed.stop();
  });

  it('never announces a private torrent (BEP 27)', async (t) => {
    const ns = multicastNamespace(t);
    if (!ns) return;
    const hidden = await episode(t, { private: true });
    const shown = await episode(t);
    const ear = probe(t, ns, ['listen']);
    await ear.waitFor(/listening/);
    const privateSeed = seedcast(t, ns, ['seed', hidden.torrent, hidden.file, '--port', '7005', '-q']);
    await privateSeed.waitFor(/seeding episode\.ogg/);
    const publicSeed = seedcast(t, ns, ['seed', shown.torrent, shown.file, '--port', '7006', '-q']);
    await ear.waitFor(new RegExp(`Port: 7006[^"]*Infohash: ${shown.infoHash}`), 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.doesNotMatch(ear.output(), new RegExp(hidden.infoHash), 'the private torrent was not announced');
    assert.doesNotMatch(ear.output(), /Port: 7005/);
    await Promise.all([privateSeed.stop(), publicSeed.stop(), ear.stop()]);
  });

  it('aria2c downloads from seedcast seed after parsing our announce', async (t) => {
    const ns = multicastNamespace(t);
    if (!ns || !requireTools(t, 'aria2c')) return;
    const { dir, data, torrent, infoHash, file } = await episode(t);
    const client = aria2(t, ns, torrent, join(dir, 'aria2'), 7102, false);
    await client.waitFor(/Dispatching LPD message/, 30_000);
    const seed = seedcast(t, ns, ['seed', torrent, file, '--port', '7007', '-q']);
    await client.waitFor(new RegExp(`LPD message received infohash=${infoHash}, port=7007`), 30_000);
    assert.equal(await client.exited, 0, client.output().slice(-3000));
    assert.ok(readFileSync(join(dir, 'aria2', 'episode.ogg')).equals(data), 'byte-exact');
    await seed.stop();
  });

  it("seedcast download finds aria2c's seed through its announce", async (t) => {
    const ns = multicastNamespace(t);
    if (!ns || !requireTools(t, 'aria2c')) return;
    const { dir, data, torrent, file } = await episode(t);
    const down = seedcast(t, ns, ['download', torrent, '-o', join(dir, 'out'), '--port', '7008']);
    await down.waitFor(/peers|%/);
    const seeder = aria2(t, ns, torrent, join(file, '..'), 7103, true);
    await seeder.waitFor(/Dispatching LPD message/, 30_000);
    await down.waitFor(/complete: /, 60_000);
    assert.equal(await down.exited, 0, down.output());
    assert.ok(readFileSync(join(dir, 'out', 'episode.ogg')).equals(data), 'byte-exact');
    assert.doesNotMatch(
      seeder.output(),
      /LPD message received infohash=\w+, port=7008/,
      'aria2c never heard us',
    );
    await seeder.stop();
  });

  it('seed and download meet over IPv6 (ff15::efc0:988f) when IPv4 has no multicast route', async (t) => {
    const ns = multicastNamespace(t, { ipv6: true });
    if (!ns) return;
    const { dir, data, torrent, file } = await episode(t);
    const seed = seedcast(t, ns, ['seed', torrent, file, '--port', '7009', '-q']);
    await seed.waitFor(/seeding episode\.ogg/);
    assert.match(seed.output(), /local discovery \(udp4\) off/, 'IPv4 could not join: only IPv6 is left');
    const down = seedcast(t, ns, ['download', torrent, '-o', join(dir, 'out')]);
    await down.waitFor(/complete: /, 60_000);
    assert.ok(readFileSync(join(dir, 'out', 'episode.ogg')).equals(data), 'byte-exact');
    assert.match(seed.output(), /peer fd00::1:\d+ connected/, 'the seed dialled the IPv6 source address');
    await seed.stop();
  });

  it('Transmission 3 parses our announce', async (t) => {
    const ns = multicastNamespace(t);
    if (!ns || !requireTools(t, 'transmission-cli')) return;
    const { dir, torrent, file } = await episode(t);
    const client = transmission(t, ns, torrent, dir, 7105);
    await client.waitFor(/LPD announce message away/, 30_000); // past its start-up window
    const seed = seedcast(t, ns, ['seed', torrent, file, '--port', '7011', '-q']);
    await client.waitFor(/Learned 1 local peer from LPD \(127\.0\.0\.1:7011\)/, 30_000);
    await Promise.all([client.stop(), seed.stop()]);
  });

  it('seedcast seed serves Transmission 3 after parsing its announce', async (t) => {
    const ns = multicastNamespace(t);
    if (!ns || !requireTools(t, 'transmission-cli')) return;
    const { dir, data, torrent, file } = await episode(t);
    const seed = seedcast(t, ns, ['seed', torrent, file, '--port', '7012', '-q']);
    await seed.waitFor(/seeding episode\.ogg/);
    const client = transmission(t, ns, torrent, dir, 7106);
    await client.waitFor(/Seeding, uploading/, 60_000);
    assert.ok(readFileSync(join(dir, 'tr-out', 'episode.ogg')).equals(data), 'byte-exact');
    assert.match(seed.output(), /peer 127\.0\.0\.1:7106 connected \(-TR3000-\)/, 'we dialled Transmission');
    await Promise.all([client.stop(), seed.stop()]);
  });

  it('a magnet with no tracker resolves through LSD, for seedcast download and libtorrent', async (t) => {
    const ns = multicastNamespace(t);
    if (!ns || !requireTools(t, 'libtorrent')) return;
    const { dir, data, torrent, infoHash, file } = await episode(t);
    const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=episode.ogg`;
    const seed = seedcast(t, ns, ['seed', torrent, file, '--port', '7013', '-q']);
    await seed.waitFor(/seeding episode\.ogg/);
    const down = seedcast(t, ns, ['download', magnet, '-o', join(dir, 'out')]);
    const lt = libtorrent(t, ns, 'download', magnet, join(dir, 'lt'));
    await down.waitFor(/complete: /, 60_000);
    assert.ok(readFileSync(join(dir, 'out', 'episode.ogg')).equals(data), 'seedcast: byte-exact');
    await lt.waitFor(/"complete"/, 60_000);
    assert.ok(readFileSync(join(dir, 'lt', 'episode.ogg')).equals(data), 'libtorrent: byte-exact');
    lt.child.stdin!.end();
    await Promise.all([lt.exited, seed.stop()]);
  });
});
