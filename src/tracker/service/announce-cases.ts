/**
 * The announce rules (`announce-rules.ts`) as a table of cases: a swarm, the service's options, one
 * announce in, the answer expected out (BEP 3 / BEP 15: interval, seeders and leechers counted,
 * peers given and how many of them seed). The same table runs against the JavaScript service
 * (`announce-rules.test.ts`, memory and native stores) and against the native UDP fast path through
 * the addon (`edges/udp/udp-fast-rules.test.ts`), so the two cannot drift apart.
 *
 * Swarm peers are IPv4, each at its own address; the announcer is another IPv4 address, so every
 * peer of the swarm may be given to it (BEP 15 answers carry the sender's family only).
 */

import type { AnnounceEvent, AnnounceRequest } from './types.js';

export interface AnnounceCase {
  name: string;
  /** Peers already in the swarm: seeders (left 0) and leechers, besides the announcer. */
  swarm: { seeders: number; leechers: number };
  /** Service options; unset ones take `ANNOUNCE_DEFAULTS`. */
  options?: { interval?: number; defaultNumwant?: number; maxNumwant?: number };
  /** The announce (numwant -1: the client does not say). */
  announce: { event: AnnounceEvent; left: number; downloaded: number; numwant: number };
  expect: {
    interval: number;
    /** Seeders and leechers counted in the answer (the announcer included, unless it stops). */
    complete: number;
    incomplete: number;
    /** Peers given. */
    peers: number;
    /** How many of the peers given are seeders, when the rules decide it (else any). */
    seedersGiven?: number;
  };
}

const leech = { event: 'started', left: 1000, downloaded: 0 } as const;

export const ANNOUNCE_CASES: readonly AnnounceCase[] = [
  {
    name: 'a leecher that does not say numwant gets the default, seeders and leechers alike',
    swarm: { seeders: 3, leechers: 3 },
    announce: { ...leech, numwant: -1 },
    expect: { interval: 1800, complete: 3, incomplete: 4, peers: 6, seedersGiven: 3 },
  },
  {
    name: 'the default numwant bounds what a leecher gets',
    swarm: { seeders: 4, leechers: 4 },
    options: { defaultNumwant: 3 },
    announce: { ...leech, numwant: -1 },
    expect: { interval: 1800, complete: 4, incomplete: 5, peers: 3 },
  },
  {
    name: 'a leecher gets what it asks for, below the cap',
    swarm: { seeders: 3, leechers: 3 },
    announce: { ...leech, numwant: 2 },
    expect: { interval: 1800, complete: 3, incomplete: 4, peers: 2 },
  },
  {
    name: 'numwant above the cap gets the cap',
    swarm: { seeders: 5, leechers: 5 },
    options: { maxNumwant: 4 },
    announce: { ...leech, numwant: 100 },
    expect: { interval: 1800, complete: 5, incomplete: 6, peers: 4 },
  },
  {
    name: 'numwant at the default cap (200) is answered in full',
    swarm: { seeders: 120, leechers: 100 },
    announce: { ...leech, numwant: 1000 },
    expect: { interval: 1800, complete: 120, incomplete: 101, peers: 200 },
  },
  {
    name: 'numwant 0 gets no peers, but the counts',
    swarm: { seeders: 2, leechers: 2 },
    announce: { ...leech, numwant: 0 },
    expect: { interval: 1800, complete: 2, incomplete: 3, peers: 0, seedersGiven: 0 },
  },
  {
    name: 'a seeder that downloaded is given leechers only',
    swarm: { seeders: 3, leechers: 3 },
    announce: { event: 'started', left: 0, downloaded: 1000, numwant: -1 },
    expect: { interval: 1800, complete: 4, incomplete: 3, peers: 3, seedersGiven: 0 },
  },
  {
    name: 'a leecher that completes becomes a seeder and is given leechers only',
    swarm: { seeders: 2, leechers: 3 },
    announce: { event: 'completed', left: 0, downloaded: 1000, numwant: 50 },
    expect: { interval: 1800, complete: 3, incomplete: 3, peers: 3, seedersGiven: 0 },
  },
  {
    name: 'a seeder that downloaded nothing (initial seeder, magnet client) is given seeders too',
    swarm: { seeders: 3, leechers: 3 },
    announce: { event: 'started', left: 0, downloaded: 0, numwant: -1 },
    expect: { interval: 1800, complete: 4, incomplete: 3, peers: 6, seedersGiven: 3 },
  },
  {
    name: 'a seeder in a swarm of seeders only gets nobody',
    swarm: { seeders: 4, leechers: 0 },
    announce: { event: 'none', left: 0, downloaded: 500, numwant: 10 },
    expect: { interval: 1800, complete: 5, incomplete: 0, peers: 0, seedersGiven: 0 },
  },
  {
    name: 'stopped gets no peers, whatever numwant says, and is no longer counted',
    swarm: { seeders: 3, leechers: 3 },
    announce: { event: 'stopped', left: 1000, downloaded: 0, numwant: 50 },
    expect: { interval: 1800, complete: 3, incomplete: 3, peers: 0, seedersGiven: 0 },
  },
  {
    name: 'the interval is the service’s',
    swarm: { seeders: 1, leechers: 0 },
    options: { interval: 1200 },
    announce: { ...leech, numwant: -1 },
    expect: { interval: 1200, complete: 1, incomplete: 1, peers: 1, seedersGiven: 1 },
  },
  {
    name: 'an empty swarm: the announcer alone',
    swarm: { seeders: 0, leechers: 0 },
    announce: { ...leech, numwant: -1 },
    expect: { interval: 1800, complete: 0, incomplete: 1, peers: 0, seedersGiven: 0 },
  },
];

/** The port each swarm peer announces: seeders from 40000, leechers from 50000 (tells them apart). */
const swarmPort = (seeder: boolean, i: number): number => (seeder ? 40_000 : 50_000) + i;

/** The announces that make a case's swarm (IPv4 peers 10.77.x.y seeding, 10.78.x.y leeching). */
export function swarmAnnounces(c: AnnounceCase, infoHash: Buffer): AnnounceRequest[] {
  const out: AnnounceRequest[] = [];
  for (const seeder of [true, false]) {
    const n = seeder ? c.swarm.seeders : c.swarm.leechers;
    for (let i = 0; i < n; i++) {
      const peerId = Buffer.alloc(20);
      peerId.write(`-SW${seeder ? 'S' : 'L'}${String(i).padStart(6, '0')}-`);
      out.push({
        infoHash,
        peerId,
        ip: Buffer.from([10, seeder ? 77 : 78, (i >> 8) & 0xff, i & 0xff]),
        port: swarmPort(seeder, i),
        uploaded: 0,
        downloaded: seeder ? 1 : 0,
        left: seeder ? 0 : 1000,
        event: 'started',
        numwant: 0,
        key: i,
        wantPeerIds: false,
        transport: 'udp',
      });
    }
  }
  return out;
}

/** The answer to compare with `expect`, from its counts and its compact IPv4 peers (BEP 23). */
export function observed(
  answer: { interval: number; complete: number; incomplete: number },
  peers4: Buffer,
): AnnounceCase['expect'] {
  let seedersGiven = 0;
  for (let at = 0; at + 6 <= peers4.length; at += 6) {
    const port = peers4.readUInt16BE(at + 4);
    if (port >= 40_000 && port < 50_000) seedersGiven++;
  }
  return {
    interval: answer.interval,
    complete: answer.complete,
    incomplete: answer.incomplete,
    peers: peers4.length / 6,
    seedersGiven,
  };
}

/** `observed` with `seedersGiven` dropped where the case leaves it open. */
export function comparable(c: AnnounceCase, got: AnnounceCase['expect']): AnnounceCase['expect'] {
  if (c.expect.seedersGiven !== undefined) return got;
  const { seedersGiven: _, ...rest } = got;
  return rest;
}
