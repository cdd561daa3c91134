/**
 * The plain request and response shapes of the tracker, shared by every transport.
 *
 * HTTP (BEP 3, 7, 23, 48) and UDP (BEP 15, 41) requests are parsed at their edge into these types;
 * the announce/scrape service and the swarm stores never see a query string or a datagram.
 * Addresses are raw bytes: 4 bytes for IPv4, 16 for IPv6 (IPv4-mapped IPv6 is reduced to 4 bytes
 * at the edge). Compact peer lists are packed exactly as BEP 23 / BEP 7 put them on the wire:
 * IPv4 peers as 6 bytes (4 address + 2 port, big-endian), IPv6 peers as 18 bytes (16 + 2).
 */

export type AnnounceEvent = 'none' | 'started' | 'completed' | 'stopped';

/** `ws`: the WebSocket edge (WebTorrent tracker protocol), whose peers the relay registry keeps. */
export type Transport = 'http' | 'udp' | 'ws';

export interface AnnounceRequest {
  /** 20-byte v1 info hash (or a truncated v2 hash, BEP 52). */
  infoHash: Buffer;
  /** 20-byte peer id. */
  peerId: Buffer;
  /** The peer's address: 4 bytes (IPv4) or 16 bytes (IPv6). */
  ip: Buffer;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event: AnnounceEvent;
  /** Peers asked for; -1 for "the tracker's default". */
  numwant: number;
  /** The client's `key` reduced to 32 bits (0 when absent). */
  key: number;
  /** Whether the answer must carry peer ids (HTTP non-compact without `no_peer_id`). */
  wantPeerIds: boolean;
  transport: Transport;
}

export interface ScrapeRequest {
  infoHashes: Buffer[];
  transport: Transport;
}

export interface SwarmCounts {
  /** Peers with nothing left to download. */
  complete: number;
  /** Peers still downloading. */
  incomplete: number;
  /** Times a peer announced `completed`. */
  downloaded: number;
}

export interface PeerList {
  /** IPv4 peers, 6 bytes each. */
  v4: Buffer;
  /** IPv6 peers, 18 bytes each. */
  v6: Buffer;
  /** With `wantPeerIds`: the 20-byte ids of the `v4` peers, in the same order. */
  ids4?: Buffer;
  /** With `wantPeerIds`: the 20-byte ids of the `v6` peers, in the same order. */
  ids6?: Buffer;
}

export interface AnnounceResponse extends SwarmCounts {
  interval: number;
  minInterval: number;
  peers: PeerList;
  /** A BEP 3 `warning message`, when there is something to say. */
  warning?: string;
}

export interface ScrapeResponse {
  files: { infoHash: Buffer; counts: SwarmCounts }[];
  minInterval: number;
}

/** Per-torrent statistics as the site reads them. */
export interface TorrentStats {
  seeders: number;
  leechers: number;
  completed: number;
}
