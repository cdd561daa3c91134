/**
 * Transmission 3.00 finds `seedcast seed` through the DHT alone: a trackerless magnet, no peer given.
 * Transmission ignores loopback ("martian") peers and nodes, so everything runs in a network
 * namespace of the test's own (`unshare -n`, root) with 10.77.0.1 on its loopback interface; and
 * with the seed's node as its only DHT node it never searched (tried: its DHT status stays "broken"
 * with too few nodes), so 12 Seedcast DHT nodes (test/helpers/dht-nodes.ts) join the seed's first. Transmission's bootstrap nodes come from
 * its `dht.bootstrap` file; nothing outside the namespace is reachable.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliArgv } from './helpers/cli-entry.js';
import { LIBTORRENT_PYTHON, requireTools, run, start, tempDir, testEnv } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;
const TSX = import.meta.resolve('tsx');
const NODES = new URL('./helpers/dht-nodes.ts', import.meta.url).pathname;

test('transmission-cli downloads a trackerless magnet from seedcast seed through the DHT', {
  timeout: 330_000,
}, async (t) => {
  if (!requireTools(t, 'transmission-cli', 'unshare', 'ip', 'libtorrent')) return;
  const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;
  if (!canUnshare) {
    if (process.env.CI === 'true') throw new Error('unshare -n needs root (CI runs as root)');
    t.skip('unshare -n needs root');
    return;
  }
  const dir = tempDir(t);
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'out'));
  mkdirSync(join(dir, 'tr-config'));
  const bytes = Buffer.from(new Uint8Array(1_000_003).map((_, i) => (i * 2654435761) >>> 24));
  writeFileSync(join(dir, 'src', 'episode.ogg'), bytes);
  const made = JSON.parse(
    run(LIBTORRENT_PYTHON, [
      LT_TOOL,
      'create',
      join(dir, 'src', 'episode.ogg'),
      join(dir, 'e.torrent'),
      'v1',
      '65536',
    ]),
  ) as { v1: string };
  const nodes = ['10.77.0.1 45141', ...Array.from({ length: 12 }, (_, i) => `10.77.0.1 ${46000 + i}`)];
  writeFileSync(join(dir, 'tr-config', 'dht.bootstrap'), `${nodes.join('\n')}\n`);
  // biome-ignore format: Transmission's settings, one a line
  writeFileSync(join(dir, 'tr-config', 'settings.json'), JSON.stringify({
    'dht-enabled': true, 'lpd-enabled': false, 'pex-enabled': false, 'utp-enabled': false,
    'port-forwarding-enabled': false, 'peer-port': 45142, 'bind-address-ipv4': '10.77.0.1',
  }));
  const magnet = `magnet:?xt=urn:btih:${made.v1}&dn=episode.ogg`;
  // Each step waits for the one before (a fixed sleep lost the race at load 35 in CI): the seeder
  // seeding, then the DHT nodes up, then the seeder's announce stored on them; only then does
  // Transmission start and look the torrent up.
  const waitFor = (pattern: string, file: string, seconds: number) =>
    `for i in $(seq ${seconds * 4}); do grep -q '${pattern}' ${file} && break; sleep 0.25; done`;
  const script = `
    ip link set lo up && ip addr add 10.77.0.1/8 dev lo || exit 3
    ${process.execPath} ${cliArgv(['seed', `${dir}/e.torrent`, `${dir}/src/episode.ogg`, '--port', '45141', '--dht-bootstrap', 'none', '-q']).join(' ')} > ${dir}/seed.log 2>&1 &
    ${waitFor('pieces verified', `${dir}/seed.log`, 60)}
    ${process.execPath} --import ${TSX} ${NODES} 10.77.0.1 45141 12 46000 > ${dir}/nodes.log 2>&1 &
    ${waitFor('nodes up', `${dir}/nodes.log`, 60)}
    ${waitFor(`announced ${made.v1}`, `${dir}/nodes.log`, 60)}
    cat ${dir}/seed.log ${dir}/nodes.log
    transmission-cli -g ${dir}/tr-config -w ${dir}/out '${magnet}' > ${dir}/transmission.log 2>&1 &
    for i in $(seq 140); do
      sleep 1
      if cmp -s ${dir}/out/episode.ogg ${dir}/src/episode.ogg; then echo "complete after $i s"; break; fi
    done
    kill $(jobs -p) 2>/dev/null; wait
  `;
  const ns = start(t, 'unshare', ['-n', 'bash', '-c', script], {
    env: testEnv({ SEEDCAST_HOME: join(dir, 'home') }),
  });
  await ns.exited;
  const steps = ns
    .output()
    .split('\n')
    .filter((l) => /^(nodes up|announced|complete after)/.test(l));
  t.diagnostic(steps.join('; '));
  assert.match(
    ns.output(),
    /complete after \d+ s/,
    readFileSync(join(dir, 'transmission.log'), 'latin1').slice(-2000),
  );
  assert.ok(readFileSync(join(dir, 'out', 'episode.ogg')).equals(bytes), 'byte-exact');
});
