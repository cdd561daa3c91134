/**
 * `seedcast tracker` as an operator runs it: it prints where it listens, tracks only the allow
 * list's torrents (re-read on SIGHUP; with `--grace`, unlisted ones for a grace window, without
 * peers), and two trackers sharing one Redis see the same swarm.
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decode, isBytes, isDict, isInt, textKey } from '../src/bencode/index.js';
import { cliArgv } from './helpers/cli-entry.js';
import { redisAvailable, startRedis } from './helpers/redis.js';
import { freePort, runCli, tempDir } from './helpers/tools.js';
import { type Proc, startProc, waitFor } from './helpers/tracker-procs.js';

const enc = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');

async function startCli(
  t: { after(fn: () => Promise<void>): void },
  args: string[],
): Promise<{ proc: Proc; url: string }> {
  const proc = startProc(process.execPath, cliArgv(['tracker', ...args]));
  t.after(() => proc.stop());
  await waitFor('the tracker to listen', () => /listening on http:\/\/\S+/.test(proc.output()), {
    seconds: 60,
    detail: proc.output,
  });
  const url = /listening on (http:\/\/\S+)/.exec(proc.output())![1]!;
  return { proc, url };
}

async function announce(url: string, infoHash: Buffer, peer: string, port: number) {
  const res = await fetch(
    `${url}/announce?info_hash=${enc(infoHash)}&peer_id=${peer.padEnd(20, '-')}&port=${port}&left=1`,
  );
  const d = decode(Buffer.from(await res.arrayBuffer()));
  assert.ok(isDict(d));
  const failure = d.get(textKey('failure reason'));
  const peers = d.get('peers');
  const incomplete = d.get('incomplete');
  return {
    failure: isBytes(failure) ? Buffer.from(failure).toString() : undefined,
    peers: isBytes(peers) ? Buffer.from(peers) : Buffer.alloc(0),
    incomplete: isInt(incomplete) ? Number(incomplete) : -1,
  };
}

test('tracker --help and bad usage', async () => {
  const help = await runCli(['tracker', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--allow FILE/);
  const bad = await runCli(['tracker', '--http-only', '--udp-only']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /exclude each other/);
  const graceless = await runCli(['tracker', '--grace', '60']);
  assert.equal(graceless.code, 2);
  assert.match(graceless.stderr, /--grace needs --allow/);
  const missing = await runCli(['tracker', '--allow', '/nonexistent/list.txt', '--port', '0']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read/);
});

test('with --allow only listed torrents are tracked, and SIGHUP re-reads the list', async (t) => {
  const dir = tempDir(t);
  const listed = Buffer.alloc(20, 0x11);
  const later = Buffer.alloc(20, 0x22);
  const file = join(dir, 'allow.txt');
  writeFileSync(file, `# our items\n${listed.toString('hex')}\n`);
  const { proc, url } = await startCli(t, ['--port', String(await freePort()), '--allow', file]);
  // The HTTP and UDP lines are two writes: the second may arrive a moment after the first.
  await waitFor('the UDP tracker to listen', () => /listening on udp:\/\//.test(proc.output()), {
    detail: proc.output,
  });
  assert.equal((await announce(url, listed, 'a', 1000)).failure, undefined);
  assert.match((await announce(url, later, 'a', 1000)).failure ?? '', /not tracked here/);
  writeFileSync(file, `${listed.toString('hex')}\n${later.toString('hex')}\n`);
  proc.child.kill('SIGHUP');
  await waitFor('the list to be re-read', () => proc.output().includes('allow list reloaded: 2'), {
    detail: proc.output,
  });
  assert.equal((await announce(url, later, 'a', 1000)).failure, undefined);
  await waitFor('the refusal to be logged', () => /warn: announce refused/.test(proc.output()), {
    detail: proc.output,
  });
});

test('with --allow and --grace, a client that announced before its hash was listed is in the swarm once it is', async (t) => {
  const dir = tempDir(t);
  const later = Buffer.alloc(20, 0x44);
  const file = join(dir, 'allow.txt');
  writeFileSync(file, '# nothing yet\n');
  const { proc, url } = await startCli(t, [
    '--port',
    String(await freePort()),
    '--allow',
    file,
    '--grace',
    '5m',
  ]);
  const early = await announce(url, later, 'early', 1000);
  assert.equal(early.failure, undefined, 'tracked for the grace window');
  const other = await announce(url, later, 'other', 2000);
  assert.deepEqual([other.peers.length, other.incomplete], [0, 2], 'stored, but no peers given');
  writeFileSync(file, `${later.toString('hex')}\n`);
  proc.child.kill('SIGHUP');
  await waitFor('the list to be re-read', () => proc.output().includes('allow list reloaded: 1'), {
    detail: proc.output,
  });
  const listed = await announce(url, later, 'listed', 3000);
  assert.equal(listed.peers.length, 12, 'both peers that announced early');
});

test('two trackers on one Redis see the same swarm', async (t) => {
  if (!redisAvailable('the shared-Redis tracker test')) return;
  const redis = await startRedis();
  t.after(() => redis.stop());
  const one = await startCli(t, ['--port', String(await freePort()), '--redis', redis.url, '--http-only']);
  const two = await startCli(t, ['--port', String(await freePort()), '--redis', redis.url, '--http-only']);
  const infoHash = Buffer.alloc(20, 0x33);
  const first = await announce(one.url, infoHash, 'first', 1111);
  assert.equal(first.peers.length, 0);
  const second = await announce(two.url, infoHash, 'second', 2222);
  assert.equal(second.incomplete, 2);
  assert.deepEqual(
    [...second.peers],
    [127, 0, 0, 1, 1111 >> 8, 1111 & 0xff],
    'node two hands out the peer node one saw',
  );
  const again = await announce(one.url, infoHash, 'first', 1111);
  assert.deepEqual([...again.peers], [127, 0, 0, 1, 2222 >> 8, 2222 & 0xff]);
});
