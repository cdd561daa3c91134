/** `seedcast serve`: runs the site until interrupted. */

import { SeedcastError } from '../errors.js';
import { intFlag, listFlag, parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';
import { DHT_FLAGS, DHT_HELP } from './engine-helpers.js';

export const serve: Command = {
  help: `Usage: seedcast serve [--host H] [--port P] [--data DIR] [--peer-port N] [--public-url URL]
                     [--archive | --no-archive] [--limit NAME=VALUE]...
                     [--allow-private-urls] [--trust-proxy VALUE] [--tracker-grace S]
                     [--torrent-format v1|hybrid] [--no-dht] [--dht-bootstrap HOST:PORT]...
                     [--no-webrtc] [--jobs N] [--log-level LEVEL] [--node-id NAME]

Runs the Seedcast site: the API, the tracker (HTTP /announce and UDP on the same port) and a
seeding peer for every item. Prints "listening on http://H:P" once ready, then whether the seeding
peer accepts WebRTC peers (browsers, WebTorrent clients): "webrtc: on ..." or "webrtc: off: <why>".

Options (flags win over the environment):
  --host H           address to listen on (SEEDCAST_HOST, default 127.0.0.1)
  --port P           port for HTTP (SEEDCAST_PORT, default 8080)
  --data DIR         data folder (SEEDCAST_DATA, default ./seedcast-data)
  --peer-port N      port of the seeding BitTorrent peer (SEEDCAST_PEER_PORT, default any free port)
  --public-url URL   the site's public URL, used in torrents and links (SEEDCAST_PUBLIC_URL,
                     default http://H:P)
  --archive          archive torrent-only items: download them through the swarm, keep them in
                     the site's storage and seed them (SEEDCAST_ARCHIVE=1|0, default on)
  --no-archive       only track torrent-only items; their publishers seed them
  --recheck          read and hash every stored file before seeding it, instead of trusting the
                     hashes recorded at publish (SEEDCAST_RECHECK=1|0, default off)
  --limit NAME=VALUE limits, repeatable or comma-separated (SEEDCAST_LIMITS; flags win), e.g.
                     comments=30/1h, uploads=20/1h, reports=off, failures=10/1m,
                     login-lockout=10/15m, headers-timeout=30s, body-timeout=60s,
                     request-timeout=6h, idle-timeout=60s, connections-per-address=64
                     (see docs/security.md for every name and its default)
  --allow-private-urls
                     let the site contact loopback, private and link-local addresses named in user
                     torrents (trackers, web seeds) and by peers (PEX); for LANs and loopback tests
                     (SEEDCAST_ALLOW_PRIVATE_URLS=1, default off: public addresses only)
  --trust-proxy VALUE
                     believe X-Forwarded-For from these reverse proxies: true (any), a hop count,
                     or comma-separated addresses/CIDRs, e.g. 127.0.0.1,10.0.0.0/8
                     (SEEDCAST_TRUST_PROXY, default: ignore X-Forwarded-For)
  --tracker-grace S  the tracker keeps tracking an info hash not yet published for S after its last
                     announce (no peers given), so a publisher who starts seeding first is found
                     when the torrent is published (SEEDCAST_TRACKER_GRACE, default 10m; 0: off)
${DHT_HELP}
                     The seeding peer announces every public item there and looks up torrent-only
                     items; its routing table is kept in DIR/dht.json.
  --torrent-format v1|hybrid
                     the torrents made for uploads: v1 (BEP 3; every client, one info hash) or
                     hybrid (v1+v2; aria2 1.36 and Transmission 3 cannot join it); an upload's
                     format field overrides it; existing items keep theirs (SEEDCAST_TORRENT_FORMAT,
                     default v1; see docs/interop.md)
  --no-webrtc        the seeding peer answers no WebRTC offers from the WebSocket tracker
                     (SEEDCAST_WEBRTC=1|0, default on when the optional @roamhq/wrtc is installed;
                     SEEDCAST_WEBRTC_MAX_CONNECTIONS, default 200)
  --jobs N           run N jobs (media analysis, derivatives) at once in this process
                     (SEEDCAST_JOBS, default 1; 0: none, leave them to 'seedcast worker'
                     processes); jobs are queued in the site's database unless
                     SEEDCAST_QUEUE=bullmq (see docs/jobs.md)
  --log-level LEVEL  fatal, error, warn, info, debug, trace or silent (SEEDCAST_LOG_LEVEL, default
                     warn: quiet); info prints one JSON line per request on stdout (method, path
                     with secret-looking query values redacted, status, response time)
  --node-id NAME     run as one node of several serving one site (SEEDCAST_NODE_ID): needs
                     SEEDCAST_DATABASE_URL (PostgreSQL), SEEDCAST_STORAGE_URL (S3) and
                     SEEDCAST_REDIS_URL, shared by every node; each item is seeded by one live
                     node, chosen by a hash over the nodes' heartbeats in Redis
                     (SEEDCAST_NODE_TTL, default 15s; see docs/scale-out.md)
  -h, --help         show this help

Environment only: SEEDCAST_DATABASE_URL (postgres://...; default SQLite in the data folder),
SEEDCAST_STORAGE_URL (s3://bucket?endpoint=...; default DIR/blobs), SEEDCAST_REDIS_URL (tracker swarms),
SEEDCAST_METRICS_TOKEN (a Bearer token that may read /metrics from anywhere; without it, loopback only),
SEEDCAST_QUEUE (embedded | bullmq: BullMQ on the PostgreSQL database, else on SEEDCAST_REDIS_URL),
SEEDCAST_JOB_LEASE (how long a worker's claim on a job holds unrenewed, default 30s).

The data folder is created 0700 and the database 0600; files the site writes are private to its user.

Storage limits (environment only; sizes like 64G, durations like 24h):
  SEEDCAST_TORRENT_MAX_BYTES (64G), SEEDCAST_TORRENT_MAX_FILES (10000): torrent-only items
  SEEDCAST_USER_QUOTA (100G, or none): each account's default storage quota (admins: none)
  SEEDCAST_MIN_FREE_BYTES (1G, or e.g. 5%): free space kept on the data folder's disk
  SEEDCAST_ARCHIVE_CONCURRENCY (4), SEEDCAST_ARCHIVE_STALL (24h), SEEDCAST_ARCHIVE_RETRIES (5)`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      'peer-port': { type: 'string' },
      'public-url': { type: 'string' },
      archive: { type: 'boolean' },
      'no-archive': { type: 'boolean' },
      recheck: { type: 'boolean' },
      limit: { type: 'string', multiple: true },
      'allow-private-urls': { type: 'boolean' },
      'trust-proxy': { type: 'string' },
      'tracker-grace': { type: 'string' },
      ...DHT_FLAGS,
      'torrent-format': { type: 'string' },
      'no-webrtc': { type: 'boolean' },
      jobs: { type: 'string' },
      'log-level': { type: 'string' },
      'node-id': { type: 'string' },
    });
    if (args.values.archive && args.values['no-archive'])
      throw new SeedcastError('USAGE', 'give --archive or --no-archive, not both');
    const { readConfig } = await import('../config.js');
    const config = readConfig({
      host: stringFlag(args, 'host'),
      port: intFlag(args, 'port'),
      data: stringFlag(args, 'data'),
      peerPort: intFlag(args, 'peer-port'),
      publicUrl: stringFlag(args, 'public-url'),
      archive: args.values['no-archive'] ? false : args.values.archive ? true : undefined,
      limits: listFlag(args, 'limit'),
      ...(args.values.recheck ? { recheck: true } : {}),
      allowPrivateUrls: args.values['allow-private-urls'] ? true : undefined,
      trustProxy: stringFlag(args, 'trust-proxy'),
      trackerGrace: stringFlag(args, 'tracker-grace'),
      noDht: args.values['no-dht'] === true,
      dhtBootstrap: listFlag(args, 'dht-bootstrap'),
      torrentFormat: stringFlag(args, 'torrent-format'),
      noWebrtc: args.values['no-webrtc'] === true,
      jobs: stringFlag(args, 'jobs'),
      logLevel: stringFlag(args, 'log-level'),
      nodeId: stringFlag(args, 'node-id'),
    });
    process.umask(0o077); // everything the site writes (database, blobs, uploads) is private
    const { startServer } = await import('../server.js');
    const { installLastResort } = await import('./last-resort.js');
    const warn = (line: string) => process.stderr.write(`${line}\n`);
    // A hostile peer or a damaged blob costs one torrent, never the site (see docs/engine.md).
    const uninstall = installLastResort({ name: 'serve', log: warn });
    const server = await startServer(config, { log: warn });
    process.stdout.write(`listening on ${server.url}\n`);
    process.stdout.write(`${server.webrtc.status}\n`);
    const { nativeStatus } = await import('../tracker/index.js');
    const addon = nativeStatus();
    warn(
      addon.addon === 'native'
        ? 'tracker: native addon'
        : `tracker: JavaScript store and dgram (${addon.reason})`,
    );
    const search = (await import('../db/index.js')).searchExtensionStatus();
    if (search)
      warn(
        search.extension === 'native'
          ? 'search: SQLite extension'
          : `search: JavaScript bm25 (${search.reason})`,
      );
    if (!config.publicUrl && (config.host === '0.0.0.0' || config.host === '::')) {
      process.stderr.write(
        `warning: torrents will name ${server.url} as their tracker and web seed; set --public-url to the address clients use\n`,
      );
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    uninstall();
    return 0;
  },
};
