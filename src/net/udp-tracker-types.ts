/**
 * The plain shapes of the BEP 15 codec (`udp-tracker-codec.ts`): what a datagram decodes to and what
 * an answer is encoded from. They are structural: the tracker's `AnnounceRequest`,
 * `AnnounceResponse` and `ScrapeResponse` satisfy them without this folder importing the tracker.
 */

/** BEP 15's events (codes 0-3, in `UDP_EVENTS` order). */
export type UdpEvent = 'none' | 'completed' | 'started' | 'stopped';

/** An announce as the server decodes it: the datagram's fields plus the sender's address. */
export interface UdpAnnounceRequest {
  infoHash: Buffer;
  peerId: Buffer;
  /** The sender's address (4 or 16 bytes); BEP 15's own IP field is ignored. */
  ip: Buffer;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event: UdpEvent;
  /** -1 when the client leaves it to the tracker (any negative number on the wire). */
  numwant: number;
  key: number;
  /** Never: a BEP 15 answer carries no peer ids. */
  wantPeerIds: boolean;
  transport: 'udp';
}

/** An announce as the client encodes it (64-bit counts as numbers). */
export interface UdpClientAnnounce {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  downloaded: number;
  left: number;
  uploaded: number;
  event: UdpEvent;
  key: number;
  numwant: number;
  port: number;
  /** BEP 41 URL data: the tracker URL's path and query ('' for none). */
  urlData: string;
}

/** What an announce answer is encoded from. */
export interface UdpAnnounceAnswer {
  interval: number;
  complete: number;
  incomplete: number;
  peers: { v4: Buffer; v6: Buffer };
}

/** What a scrape answer is encoded from. */
export interface UdpScrapeAnswer {
  files: { counts: { complete: number; downloaded: number; incomplete: number } }[];
}

/** A tracker's answer as the client decodes it. */
export type UdpAnswer =
  | { action: 'connect'; transactionId: number; connectionId: Buffer }
  | {
      action: 'announce';
      transactionId: number;
      interval: number;
      leechers: number;
      seeders: number;
      /** The compact peers as sent: 6 bytes each from an IPv4 tracker, 18 from an IPv6 one. */
      peers: Buffer;
    }
  | {
      action: 'scrape';
      transactionId: number;
      files: { seeders: number; completed: number; leechers: number }[];
    }
  | { action: 'error'; transactionId: number; message: string }
  /** Too short for its action (`code`), or an action BEP 15 does not have. */
  | { action: 'malformed'; transactionId: number; code: number; detail: string };
