/**
 * Helpers for the archiving lifecycle tests (not a test itself): a real site (`startServer`, HTTP
 * on loopback) with an account, content and its v1 torrent naming the site's tracker, a publisher's
 * seeder (our own engine over real TCP, announcing to the site's tracker, optionally holding only
 * the first half of the content), and a raw BitTorrent handshake to ask the site's peer whether it
 * still serves an info hash.
 */

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Engine } from '../src/engine/index.js';
import { createTorrent, parseTorrent } from '../src/torrent/index.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the assertions
export type Json = any;

export const PIECE = 16 * 1024;

export async function call(
  base: string,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export function jsonBody(body: unknown, token?: string): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  };
}

/** Registers `username` (the first account is the admin) and returns a token. */
export async function account(base: string, username: string): Promise<string> {
  await call(base, '/api/v1/users', jsonBody({ username, password: 'correct horse' }));
  const { body } = await call(base, '/api/v1/tokens', jsonBody({ username, password: 'correct horse' }));
  return body.token;
}

export interface Content {
  folder: string;
  bytes: Buffer;
  torrent: Buffer;
  infoHash: string;
}

/** 16 pieces of 16 KiB of random bytes in `dir/<name>/<name>.bin`, and a v1 torrent naming `announce`. */
export async function makeContent(dir: string, name: string, announce: string): Promise<Content> {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const bytes = randomBytes(16 * PIECE);
  writeFileSync(join(folder, `${name}.bin`), bytes);
  const created = await createTorrent(join(folder, `${name}.bin`), {
    version: 'v1',
    pieceLength: PIECE,
    announce: [announce],
  });
  return { folder, bytes, torrent: Buffer.from(created.torrent), infoHash: created.infoHash! };
}

export async function publishTorrent(base: string, token: string, torrent: Buffer, title = 'Torrent only') {
  const form = new FormData();
  form.append('title', title);
  form.append('license', 'CC0-1.0');
  form.append('torrent', new Blob([torrent], { type: 'application/x-bittorrent' }), 'x.torrent');
  return call(base, '/api/v1/items', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

/**
 * A publisher's peer seeding `content` (or only its first half: the rest zeros, so those pieces
 * fail their check and are never offered), announcing to `announce`.
 */
export async function startSeeder(
  t: TestContext,
  dir: string,
  content: Content,
  announce: string,
  options: { half?: boolean } = {},
): Promise<Engine> {
  const folder = join(dir, `seed-${content.infoHash.slice(0, 8)}-${options.half ? 'half' : 'full'}`);
  mkdirSync(folder, { recursive: true });
  const bytes = Buffer.from(content.bytes);
  if (options.half) bytes.fill(0, bytes.length / 2);
  const meta = parseTorrent(content.torrent);
  writeFileSync(join(folder, meta.files[0]!.path[0]!), bytes);
  const engine = new Engine({ host: '127.0.0.1' });
  await engine.listen(0);
  t.after(() => engine.close());
  await engine.add({ meta }, { path: folder, trackers: [[announce]] });
  return engine;
}

/** True when the peer at `port` answers a BitTorrent handshake for `infoHash` (hex). */
export function answersHandshake(port: number, infoHash: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(5000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('close', () => done(got.length >= 68));
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 68) done(got.subarray(28, 48).equals(Buffer.from(infoHash, 'hex')));
    });
    socket.on('connect', () => {
      const reserved = Buffer.alloc(8);
      reserved[5] = 0x10;
      socket.write(
        Buffer.concat([
          Buffer.from([19]),
          Buffer.from('BitTorrent protocol'),
          reserved,
          Buffer.from(infoHash, 'hex'),
          Buffer.from('-XX0001-'),
          randomBytes(12),
        ]),
      );
    });
  });
}

/** Polls `GET /api/v1/items/:id` (with `token`) until `done(item)`; fails after `ms`. */
export async function waitForItem(
  base: string,
  id: number,
  done: (item: Json) => boolean,
  ms: number,
  token?: string,
): Promise<Json> {
  const deadline = Date.now() + ms;
  let last: Json;
  while (Date.now() < deadline) {
    last = (
      await call(base, `/api/v1/items/${id}`, token ? { headers: { authorization: `Bearer ${token}` } } : {})
    ).body;
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out; the item: ${JSON.stringify(last)}`);
}
