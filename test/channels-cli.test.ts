/**
 * `seedcast channel create|list` against a real `seedcast serve` (from source): a channel made
 * from the command line prints its URL and is listed (tab-separated and `--json`); a taken name and
 * a bad token fail with exit code 1 and a one-line reason naming the field; bad usage exits 2.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSiteProc } from './helpers/site-proc.js';
import { runCli } from './helpers/tools.js';

test('seedcast channel create and list against a real site', async (t) => {
  const site = await startSiteProc(t);
  const common = ['--server', site.base, '--token', site.token];

  const made = await runCli([
    'channel',
    'create',
    'night-walks',
    '--title',
    'Night walks',
    '--description',
    'Owls.',
    ...common,
  ]);
  assert.equal(made.code, 0, made.stderr);
  assert.equal(made.stdout, `${site.base}/channels/night-walks\n`);
  const page = await fetch(`${site.base}/channels/night-walks`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Night walks/);

  const again = await runCli(['channel', 'create', 'night-walks', '--title', 'Again', ...common]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^seedcast channel: the site refused \(409\): .*name: /);
  assert.equal(again.stderr.trim().split('\n').length, 1);
  const bad = await runCli(['channel', 'create', 'Night Walks', '--title', 'T', ...common]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\(400\): .*name: /);
  const wrongToken = await runCli([
    'channel',
    'create',
    'other',
    '--title',
    'T',
    '--server',
    site.base,
    '--token',
    'nope',
  ]);
  assert.equal(wrongToken.code, 1);
  assert.match(wrongToken.stderr, /\(401\)/);

  for (const args of [
    ['channel'],
    ['channel', 'rename', 'x'],
    ['channel', 'create', '--title', 'T', ...common],
    ['channel', 'create', 'x1', ...common],
    ['channel', 'create', 'x1', '--title', 'T', '--server', 'ftp://x', '--token', 't'],
    ['channel', 'list'],
    ['channel', 'list', '--server', site.base, '--bogus'],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^seedcast channel: .*--help/);
  }
  const help = await runCli(['channel', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /seedcast channel create <name> --title T/);

  assert.equal((await runCli(['channel', 'create', 'mornings', '--title', 'Mornings', ...common])).code, 0);
  const listed = await runCli(['channel', 'list', '--server', site.base]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(
    listed.stdout,
    `mornings\tMornings\t${site.base}/channels/mornings\nnight-walks\tNight walks\t${site.base}/channels/night-walks\n`,
  );
  const json = await runCli(['channel', 'list', '--server', site.base, '--json']);
  assert.equal(json.code, 0);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.total, 2);
  assert.deepEqual(
    parsed.channels.map((c: { name: string; description: string }) => [c.name, c.description]),
    [
      ['mornings', ''],
      ['night-walks', 'Owls.'],
    ],
  );
  const down = await runCli(['channel', 'list', '--server', 'http://127.0.0.1:9']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach/);
});
