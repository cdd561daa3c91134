/**
 * `bench:offload`'s `seedcast-one` downloaders: N engines (each its own peer: listening port, peer
 * id, DHT node and LSD as `seedcast download` sets them up) in ONE Node process, downloading one
 * `.torrent` and seeding it until stdin closes. Beside N `seedcast download` processes it shows
 * what the processes themselves cost (N Node start-ups, N event loops and heaps on few cores)
 * apart from the engine's own work. Runs the built engine (dist/), as `bin/seedcast.js` does.
 *
 * Usage: node bench/offload-engines.ts <file.torrent> <dir> <n>  (through tsx)
 * Prints `{"complete": i, "seconds": s}` per engine and `{"all": n}` at the end (as lt_tool swarm).
 *
 * BENCH_DIAG=<file>: every 250 ms until it completes, each engine appends one JSON line to <file>:
 * pieces had, bytes downloaded, uploaded and wasted (duplicates, late answers), bytes received over its current connections from the other engines (peers whose listen port is one of ours) and
 * from anyone else (the site's peer), from web seeds, how many peers unchoke it and it is
 * interested in, its requests in flight, the requests its peers have queued at it, and each peer's
 * request pipeline. It shows where a downloader waits (see docs/engine.md, issue 22).
 */

import { appendFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as EngineModule from '../src/engine/index.js';
import type * as TorrentModule from '../src/torrent/index.js';

const [torrentPath, dir, count] = process.argv.slice(2);
const n = Number(count);
const dist = (p: string) => pathToFileURL(resolve('dist', p)).href;
const { Engine } = (await import(dist('engine/index.js'))) as typeof EngineModule;
const { parseTorrent } = (await import(dist('torrent/index.js'))) as typeof TorrentModule;
const { dhtOption } = (await import(dist('cli/engine-helpers.js'))) as {
  dhtOption: (a: { values: object; positionals: string[] }) => EngineModule.EngineOptions['dht'];
};
const { userEngineOptions } = (await import(dist('cli/lsd-option.js'))) as {
  userEngineOptions: (a: { values: object; positionals: string[] }) => EngineModule.EngineOptions;
};

const meta = parseTorrent(readFileSync(torrentPath!));
const noArgs = { values: {}, positionals: [] };
const started = performance.now();
const engines: InstanceType<typeof Engine>[] = [];
const ports = new Set<number>();
const diagFile = process.env.BENCH_DIAG;

/** One BENCH_DIAG line per 250 ms for the engine's session until it completes. */
function sample(i: number, session: EngineModule.TorrentSession): void {
  const timer = setInterval(() => {
    const st = session.stats();
    const line = {
      ms: Math.round(performance.now() - started),
      i,
      have: st.have,
      fromEngines: 0,
      fromOthers: 0,
    };
    let unchokedBy = 0;
    let interested = 0;
    let inFlight = 0;
    let queuedAtUs = 0;
    const pipelines: number[] = [];
    for (const p of session.peers.values()) {
      if (ports.has(p.listenAddress.port)) line.fromEngines += p.down.total;
      else line.fromOthers += p.down.total;
      if (!p.conn.peerChoking) unchokedBy++;
      if (p.conn.amInterested) interested++;
      inFlight += p.outstanding.size;
      queuedAtUs += p.uploadQueue.length;
      pipelines.push(p.pipeline);
    }
    const extra = {
      downloaded: st.downloaded,
      uploaded: st.uploaded,
      wasted: st.wasted,
      refused: session.uploader.refused,
      chokes: session.uploader.chokesSent,
      web: st.fromWebSeeds,
      peers: st.peers,
      unchokedBy,
      interested,
      inFlight,
      queuedAtUs,
      pipelines,
    };
    appendFileSync(diagFile!, `${JSON.stringify({ ...line, ...extra })}\n`);
    if (st.complete) clearInterval(timer);
  }, 250);
  timer.unref();
}

let done = 0;
await Promise.all(
  Array.from({ length: n }, async (_, i) => {
    const engine = new Engine({ ...userEngineOptions(noArgs), dht: dhtOption(noArgs) ?? false });
    engines.push(engine);
    ports.add(await engine.listen(0));
    const session = await engine.add({ meta }, { path: join(dir!, String(i)) });
    if (diagFile) sample(i, session);
    await new Promise<void>((ok, fail) => {
      if (session.complete) ok();
      else session.once('complete', () => ok());
      session.once('failed', fail);
    });
    done++;
    const seconds = (performance.now() - started) / 1000;
    console.log(JSON.stringify({ complete: i, seconds }));
  }),
);
console.log(JSON.stringify({ all: done }));
// Stopped by SIGTERM (bench/offload-clients.ts): exit normally, so `--cpu-prof` writes its profile.
process.once('SIGTERM', () => process.exit(0));
process.stdin.resume();
await new Promise<void>((r) => process.stdin.once('end', () => r()));
await Promise.all(engines.map((e) => e.close()));
process.exit(0);
