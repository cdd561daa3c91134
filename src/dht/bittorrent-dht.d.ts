/** The part of `bittorrent-dht` 11 (untyped JavaScript) that `dht.ts` uses. */
declare module 'bittorrent-dht' {
  import type { EventEmitter } from 'node:events';

  interface DhtPeer {
    host: string;
    port: number;
  }

  interface DhtConstructorOptions {
    nodeId?: Buffer;
    bootstrap?: false | { host: string; port: number }[];
    host?: string | false;
    socket?: unknown;
    timeout?: number;
    concurrency?: number;
    maxTables?: number;
    maxValues?: number;
    maxPeers?: number;
    maxAge?: number;
  }

  export default class DHT extends EventEmitter {
    constructor(options?: DhtConstructorOptions);
    nodeId: Buffer;
    listening: boolean;
    destroyed: boolean;
    _host: string | null;
    _rpc: { nodes: { count(): number } };
    addNode(node: { host: string; port: number; id?: Buffer }): void;
    lookup(infoHash: Buffer, cb?: (err: Error | null, nodes?: number) => void): () => void;
    announce(infoHash: Buffer, port: number, cb?: (err: Error | null) => void): void;
    toJSON(): { nodes: DhtPeer[] };
    destroy(cb?: () => void): void;
  }
}
