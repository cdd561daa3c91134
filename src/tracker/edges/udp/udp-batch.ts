/**
 * The fast UDP edge of the tracker (BEP 15): a socket from our native module
 * (`native/udp_batch.c`, built by `npm run build:native`) that reads up to 64 datagrams per wake-up
 * with one `recvmmsg` and sends their answers with one `sendmmsg`, handing them to the same
 * transport-free `DatagramHandler` as the `dgram` edge. Linux only; `udpBatchSupport()` says whether
 * it can be used here, and `startTracker`/`seedcast serve` fall back to `dgram` when it cannot
 * (or when `SEEDCAST_UDP=dgram`).
 *
 * Datagrams arrive in memory shared with the native side and the handler sees them there, with the
 * sender's address in a reused buffer: as `DatagramHandler` says, the memory is reused once the
 * call returns (the tracker service copies what it keeps before any asynchronous step), so no
 * datagram costs a copy or an allocation here. Answers given at once are copied into the batch's
 * send slots; answers that come later (a promise) go out one by one.
 */

import { SeedcastError } from '../../../errors.js';
import type { AllowSet } from '../../service/allow-list.js';
import { silentLog, type TrackerLog } from '../../service/log.js';
import type { TrackerService } from '../../service/service.js';
import { nativeAddon } from '../../stores/native-addon.js';
import { NativeStore } from '../../stores/native-store.js';
import { ConnectionIds } from './connection-id.js';
import { type DatagramHandler, type UdpEdgeOptions, udpDatagramHandler } from './udp-server.js';

interface NativeUdpBatch {
  BATCH: number;
  SLOT: number;
  META: number;
  open(
    host: string,
    port: number,
    input: ArrayBuffer,
    output: ArrayBuffer,
    meta: ArrayBuffer,
    onBatch: (count: number) => void,
    bufferBytes: number,
  ): object;
  port(handle: object): number;
  sendTo(handle: object, data: Uint8Array, ip: Uint8Array, port: number): boolean;
  flush(handle: object, upto: number): void;
  stats(handle: object): [number, number, number];
  close(handle: object): void;
  fastOn(handle: object, store: object, interval: number, defaultNumwant: number, maxNumwant: number): void;
  fastRemember(handle: object, id: Uint8Array, ip: Uint8Array, port: number, minute: number): void;
  fastAllow(handle: object, keys: Uint8Array | null): void;
  fastStats(handle: object): number[];
}

/** Meta byte 19: the datagram was longer than a slot (bit 0); the fast path answered it (bit 1). */
const CUT = 1;
const ANSWERED = 2;

/**
 * Answers sent per sendmmsg within a batch: one by one in a small batch (a light load, where the
 * answer that waits for the next one's work is what latency is made of), 8 at a time in a large one
 * (a heavy load, where a system call costs more than waiting for 8 answers).
 */
const FLUSH_EVERY_SMALL = 1;
const FLUSH_EVERY_LARGE = 8;
const SMALL_BATCH = 16;

let loaded: { native: NativeUdpBatch } | { error: string } | undefined;

function load(): { native: NativeUdpBatch } | { error: string } {
  if (loaded) return loaded;
  if (process.platform !== 'linux') {
    loaded = { error: `recvmmsg/sendmmsg are Linux system calls (this is ${process.platform})` };
    return loaded;
  }
  const l = nativeAddon();
  loaded =
    'error' in l
      ? { error: l.error }
      : typeof l.addon.open === 'function'
        ? { native: l.addon as unknown as NativeUdpBatch }
        : { error: 'the native addon has no batched UDP socket (rebuild it: npm run build:native)' };
  return loaded;
}

/** Whether the batched socket works here, and if not, why. */
export function udpBatchSupport(): { ok: true } | { ok: false; reason: string } {
  const l = load();
  return 'native' in l ? { ok: true } : { ok: false, reason: l.error };
}

export interface BatchSocketStats {
  received: number;
  sent: number;
  /** Answers the kernel refused (a full send buffer, an unreachable peer). */
  dropped: number;
}

/** A bound UDP socket that answers each datagram with what `handler` returns. */
export class BatchUdpSocket {
  readonly port: number;
  private readonly native: NativeUdpBatch;
  private readonly handle: object;
  private closed = false;

  private constructor(native: NativeUdpBatch, handle: object) {
    this.native = native;
    this.handle = handle;
    this.port = native.port(handle);
  }

  /** Binds `host` (an IP address) and `port` (0: any free one). Throws `TRACKER_UDP_UNAVAILABLE`. */
  static open(
    host: string,
    port: number,
    handler: DatagramHandler,
    log: TrackerLog = silentLog,
  ): BatchUdpSocket {
    const l = load();
    if (!('native' in l)) throw new SeedcastError('TRACKER_UDP_UNAVAILABLE', l.error);
    const n = l.native;
    const input = new ArrayBuffer(n.BATCH * n.SLOT);
    const output = new ArrayBuffer(n.BATCH * n.SLOT);
    const meta = new ArrayBuffer(n.BATCH * n.META);
    const inBytes = Buffer.from(input);
    const outBytes = Buffer.from(output);
    const metaBytes = Buffer.from(meta);
    const metaInts = new Int32Array(meta);
    const intsPerSlot = n.META / 4;
    // Views of the input slots by slot and length, made once: datagrams come in a few lengths.
    const slotViews: Buffer[][] = Array.from({ length: n.BATCH }, () => []);
    const slotView = (slot: number, length: number): Buffer => {
      const byLength = slotViews[slot]!;
      let view = byLength[length];
      if (!view) {
        view = inBytes.subarray(slot * n.SLOT, slot * n.SLOT + length);
        byLength[length] = view;
      }
      return view;
    };
    // The sender's address, rewritten for each datagram (handlers copy what they keep).
    const ip4 = Buffer.alloc(4);
    const ip6 = Buffer.alloc(16);
    let socket: BatchUdpSocket | undefined;

    const later = (answer: Promise<Buffer | undefined>, ip: Buffer, port: number) => {
      answer.then(
        (buf) => {
          if (buf && socket && !socket.closed) n.sendTo(socket.handle, buf, ip, port);
        },
        (err: Error) => log.warn(`udp: an answer failed: ${err.message}`),
      );
    };

    const onBatch = (count: number) => {
      const every = count <= SMALL_BATCH ? FLUSH_EVERY_SMALL : FLUSH_EVERY_LARGE;
      for (let i = 0; i < count; i++) {
        const m = i * n.META;
        const flags = metaBytes[m + 19]!;
        if ((flags & ANSWERED) !== 0) continue;
        const length = metaInts[i * intsPerSlot + 5]!;
        const cut = (flags & CUT) !== 0;
        const v4 = metaBytes[m + 18] === 4;
        const ip = v4 ? ip4 : ip6;
        metaBytes.copy(ip, 0, m, m + ip.length);
        const from = metaBytes.readUInt16BE(m + 16);
        // A cut datagram was longer than a slot, which is longer than any request: it stays long.
        const msg = slotView(i, cut ? n.SLOT : length);
        try {
          const answer = handler(msg, ip, from);
          if (answer instanceof Promise) later(answer, Buffer.from(ip), from);
          else if (answer && answer.length <= n.SLOT) {
            answer.copy(outBytes, i * n.SLOT);
            metaInts[i * intsPerSlot + 6] = answer.length;
          } else if (answer && socket) {
            // Longer than a slot (200 IPv6 peers): sent on its own.
            n.sendTo(socket.handle, answer, ip, from);
          }
        } catch (err) {
          // The handler never throws; should it, the datagram is dropped, not the process.
          log.warn(`udp: a datagram handler threw: ${(err as Error).message}`);
        }
        // Answers leave in groups: the first of a burst need not wait for the last.
        if ((i + 1) % every === 0 && i + 1 < count && socket) n.flush(socket.handle, i + 1);
      }
    };

    let handle: object;
    try {
      // The kernel's default receive buffer, as opentracker keeps: under overload excess datagrams are
      // dropped rather than queued for tens of milliseconds.
      handle = n.open(host, port, input, output, meta, onBatch, 0);
    } catch (err) {
      const e = err as Error & { code?: string };
      throw Object.assign(new Error(`udp ${host}:${port}: ${e.message}`, { cause: err }), {
        code: e.code === 'E98' ? 'EADDRINUSE' : e.code,
      });
    }
    socket = new BatchUdpSocket(n, handle);
    return socket;
  }

  /**
   * Answers announces in C from now on (`native/udp_fast.c`), against `store`'s memory, with the
   * service's rules; the datagrams it cannot answer exactly as JavaScript would still come to the
   * handler. `ids` tells it the connection ids in use.
   */
  enableFastPath(
    store: NativeStore,
    ids: ConnectionIds,
    rules: { interval: number; defaultNumwant: number; maxNumwant: number; allow: AllowSet | undefined },
  ): void {
    const { native, handle } = this;
    native.fastOn(handle, store.handle, rules.interval, rules.defaultNumwant, rules.maxNumwant);
    const allow = rules.allow;
    if (allow) {
      native.fastAllow(handle, allow.keys());
      allow.onUpdate(() => {
        if (!this.closed) native.fastAllow(handle, allow.keys());
      });
    }
    ids.onRemember = (id, ip, port, minute) => {
      if (!this.closed) native.fastRemember(handle, id, ip, port, minute);
    };
  }

  /** Announces the fast path answered, by event: none, started, completed, stopped. */
  fastCounts(): number[] {
    return this.native.fastStats(this.handle);
  }

  stats(): BatchSocketStats {
    const [received, sent, dropped] = this.native.stats(this.handle);
    return { received, sent, dropped };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close(this.handle);
  }
}

/** Binds a batched UDP socket at `host`:`port` and makes it a BEP 15 tracker for `service`. */
export function serveUdpBatch(
  host: string,
  port: number,
  service: TrackerService,
  options: UdpEdgeOptions = {},
): BatchUdpSocket {
  const ids = options.connectionIds ?? new ConnectionIds();
  const socket = BatchUdpSocket.open(
    host,
    port,
    udpDatagramHandler(service, { ...options, connectionIds: ids }),
    options.log,
  );
  const rules = service.fastPathRules();
  if (options.fastPath !== false && rules && ids.wallClock && service.store instanceof NativeStore) {
    socket.enableFastPath(service.store, ids, rules);
    service.metrics.addAnnounceSource('udp', () => socket.fastCounts());
  }
  return socket;
}
