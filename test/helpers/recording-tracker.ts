/**
 * A tiny HTTP tracker (BEP 3, compact peers BEP 23) that writes down every announce: which info hash
 * each client announced (by its peer id) from which address. Peers that announce the same hash meet;
 * peers that announce different hashes for the same content (aria2 1.36 with a hybrid torrent) do
 * not, as on a real tracker. For interop measurements only: no limits, answers everyone.
 */

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode } from '../../src/bencode/index.js';

export interface Announce {
  infoHash: string;
  peerId: string;
  ip: string;
  port: number;
  left: number;
}

export interface RecordingTracker {
  url: string;
  announces: Announce[];
  /** Forgets every peer so far (the log stays): the next swarm starts empty, with no dead peers. */
  reset(): void;
  close(): Promise<void>;
}

/** The bytes of a query parameter whose value is percent-encoded binary (info_hash, peer_id). */
function rawParam(query: string, name: string): Buffer | undefined {
  for (const pair of query.split('&')) {
    const [key, value = ''] = pair.split('=');
    if (key !== name) continue;
    const bytes: number[] = [];
    for (let i = 0; i < value.length; i++) {
      if (value[i] === '%') {
        bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(value.charCodeAt(i));
    }
    return Buffer.from(bytes);
  }
  return undefined;
}

/** Which client a peer id names (Azureus-style `-XX1234-` or aria2's `A2-`). */
export function clientOfPeerId(peerId: string): string {
  if (peerId.startsWith('A2-')) return 'aria2c';
  if (peerId.startsWith('-TR')) return 'transmission';
  if (/^-(LT|lt)/.test(peerId)) return 'libtorrent';
  if (peerId.startsWith('-SC')) return 'seedcast';
  return peerId.slice(0, 8);
}

export async function startRecordingTracker(host: string): Promise<RecordingTracker> {
  const announces: Announce[] = [];
  let from = 0;
  const server = createServer((req, res) => {
    const [path, query = ''] = (req.url ?? '').split('?');
    const hash = rawParam(query, 'info_hash');
    const peerId = rawParam(query, 'peer_id');
    const params = new URLSearchParams(query.replace(/(info_hash|peer_id)=[^&]*/g, ''));
    if (path !== '/announce' || hash?.length !== 20 || !peerId) {
      res.end(encode(new Map([['failure reason', 'bad announce']])));
      return;
    }
    const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const entry: Announce = {
      infoHash: hash.toString('hex'),
      peerId: peerId.toString('latin1'),
      ip,
      port: Number(params.get('port')),
      left: Number(params.get('left') ?? 0),
    };
    announces.push(entry);
    const seen = new Map<string, Buffer>();
    for (const a of announces.slice(from)) {
      if (a.infoHash !== entry.infoHash || (a.ip === ip && a.port === entry.port)) continue;
      const compact = Buffer.alloc(6);
      compact.set(a.ip.split('.').map(Number), 0);
      compact.writeUInt16BE(a.port, 4);
      seen.set(`${a.ip}:${a.port}`, compact);
    }
    res.setHeader('content-type', 'text/plain');
    res.end(
      encode(
        new Map<string, unknown>([
          ['interval', 5],
          ['min interval', 2],
          ['peers', Buffer.concat([...seen.values()])],
        ]) as never,
      ),
    );
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/announce`,
    announces,
    reset: () => {
      from = announces.length;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
