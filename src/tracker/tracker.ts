/**
 * A running tracker: wires the swarm store (memory, or Redis with `redisUrl`), the service, the
 * HTTP server (BEP 3, 7, 23, 48) with its WebSocket edge (the WebTorrent tracker protocol, on the
 * same port: an upgrade of `/announce`) and the UDP socket (BEP 15, 41) on the same port number,
 * and the timer that forgets peers that stopped announcing. Nothing starts until `startTracker`
 * is called.
 */

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SeedcastError } from '../errors.js';
import { createHttpTrackerServer, type HttpTrackerServer } from './edges/http/http-server.js';
import { listenUdpTracker, type UdpIo, type UdpListener } from './edges/udp/udp-listen.js';
import { type WsEdgeOptions, WsTrackerEdge } from './edges/ws/index.js';
import { rateLimited, silentLog, type TrackerLog } from './service/log.js';
import { TrackerService, type TrackerServiceOptions } from './service/service.js';
import { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
import type { SwarmStore } from './stores/store.js';

export interface TrackerOptions extends TrackerServiceOptions, MemoryStoreOptions {
  /** Address to listen on (default 127.0.0.1; `::` for IPv6 and IPv4). */
  host?: string;
  /** Port for HTTP and UDP (default 6969; 0 picks a free one). */
  port?: number;
  /** Serve HTTP (default true). */
  http?: boolean;
  /** Serve UDP (default true). */
  udp?: boolean;
  /** Serve the WebSocket tracker at `ws://host:port/announce` (default true; needs `http`). */
  ws?: boolean | WsEdgeOptions;
  /** Keep swarms in Redis at this URL instead of in memory. */
  redisUrl?: string;
  /** Prefix of the Redis keys (default `seedcast:tracker:`). */
  redisPrefix?: string;
  /** Sent as BEP 3 `tracker id`. */
  trackerId?: string;
  /** Where warnings go (rate-limited); default nowhere. */
  log?: TrackerLog;
  /** Seconds between sweeps of expired peers (default 60). */
  sweepSeconds?: number;
  /** The UDP socket: batched native, Node's dgram, or the best that works here (`udp-listen.ts`). */
  udpIo?: UdpIo;
  /**
   * The in-memory store: `native` (the store in C, `native-store.ts`, which lets the batched UDP
   * socket answer announces in C), `js` (`MemoryStore`), or `auto` (default: native when the addon
   * is built, else js; the environment's `SEEDCAST_STORE` may say `js` or `native`).
   */
  memoryStore?: 'auto' | 'native' | 'js';
}

export interface RunningTracker {
  service: TrackerService;
  port: number;
  /** `http://host:port` when HTTP is served. */
  httpUrl?: string;
  /** `udp://host:port` when UDP is served. */
  udpUrl?: string;
  /** `ws://host:port/announce` when the WebSocket tracker is served. */
  wsUrl?: string;
  /** Which UDP socket serves it. */
  udpIo?: 'batch' | 'dgram';
  close(): Promise<void>;
}

/** Builds the store the options ask for. */
export async function createStore(options: TrackerOptions): Promise<SwarmStore> {
  if (options.store) return options.store;
  if (options.redisUrl) {
    const { RedisStore } = await import('./stores/redis-store.js');
    return RedisStore.connect(options.redisUrl, { ...options, prefix: options.redisPrefix });
  }
  const want = options.memoryStore ?? envStore() ?? 'auto';
  if (want !== 'js') {
    const { NativeStore, nativeStoreSupport } = await import('./stores/native-store.js');
    const support = nativeStoreSupport();
    if (support.ok) return new NativeStore(options);
    if (want === 'native') throw new SeedcastError('TRACKER_UNAVAILABLE', `native store: ${support.reason}`);
  }
  return new MemoryStore(options);
}

function envStore(): 'auto' | 'native' | 'js' | undefined {
  const v = process.env.SEEDCAST_STORE;
  return v === 'js' || v === 'native' || v === 'auto' ? v : undefined;
}

export async function startTracker(options: TrackerOptions = {}): Promise<RunningTracker> {
  const host = options.host ?? '127.0.0.1';
  const wantHttp = options.http ?? true;
  const wantUdp = options.udp ?? true;
  const log = rateLimited(options.log ?? silentLog);
  const service = new TrackerService({ ...options, store: await createStore(options) });
  const ws =
    wantHttp && options.ws !== false
      ? new WsTrackerEdge(service, { log, ...(typeof options.ws === 'object' ? options.ws : {}) })
      : undefined;
  let http: HttpTrackerServer | undefined;
  let udp: UdpListener | undefined;
  let port = options.port ?? 6969;
  try {
    for (let attempt = 0; ; attempt++) {
      if (wantHttp) {
        http = createHttpTrackerServer(service, { trackerId: options.trackerId, log, ws });
        const { server } = http;
        server.listen(port, host);
        await Promise.race([
          once(server, 'listening'),
          once(server, 'error').then(([e]) => Promise.reject(e)),
        ]);
        port = (server.address() as AddressInfo).port;
      }
      if (!wantUdp) break;
      try {
        udp = await listenUdpTracker(host, port, service, { log, io: options.udpIo });
        port = udp.port;
        break;
      } catch (err) {
        // With port 0, HTTP got a port whose UDP twin is taken: try another pair.
        if (options.port !== 0 || !wantHttp || attempt >= 5) throw err;
        await http?.close();
        port = 0;
      }
    }
  } catch (err) {
    await ws?.close();
    await http?.close();
    await service.close();
    throw err;
  }
  const sweep = setInterval(
    () => service.sweep().catch((err) => log.warn(`sweep failed: ${(err as Error).message}`)),
    (options.sweepSeconds ?? 60) * 1000,
  );
  sweep.unref();
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    service,
    port,
    httpUrl: http ? `http://${shownHost}:${port}` : undefined,
    udpUrl: udp ? `udp://${shownHost}:${port}` : undefined,
    wsUrl: http && ws ? `ws://${shownHost}:${port}/announce` : undefined,
    udpIo: udp?.io,
    async close() {
      clearInterval(sweep);
      await ws?.close();
      await udp?.close();
      await http?.close();
      await service.close();
    },
  };
}
