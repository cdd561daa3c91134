/**
 * The one registry of Seedcast's error codes.
 *
 * Every error a user or a client can provoke is a `SeedcastError` with a stable code from `ERRORS`, a
 * human message and the HTTP status it maps to. Modules throw them deep down; the edges (the CLI, the
 * HTTP error handler, the tracker's `failure reason`) turn them into answers in one place each.
 */

export const ERRORS = {
  // bencode (BEP 3)
  BENCODE_TRUNCATED: { status: 400, message: 'bencode: input ends too early' },
  BENCODE_SYNTAX: { status: 400, message: 'bencode: invalid syntax' },
  BENCODE_NON_CANONICAL: { status: 400, message: 'bencode: not in canonical form' },
  BENCODE_LIMIT: { status: 413, message: 'bencode: a size or depth limit was exceeded' },
  BENCODE_TRAILING: { status: 400, message: 'bencode: data after the end of the value' },
  BENCODE_UNENCODABLE: { status: 500, message: 'bencode: value cannot be encoded' },
  // metainfo (BEP 3, 12, 19, 27, 47, 52)
  TORRENT_INVALID: { status: 400, message: 'torrent: invalid metainfo' },
  TORRENT_UNSAFE_PATH: { status: 400, message: 'torrent: unsafe file path' },
  TORRENT_HASH_MISMATCH: { status: 400, message: 'torrent: hashes do not agree' },
  // magnet links (BEP 9)
  MAGNET_INVALID: { status: 400, message: 'magnet: invalid magnet link' },
  // peer wire protocol (BEP 3, 6, 9, 10, 11): each one means "drop this peer"
  WIRE_HANDSHAKE: { status: 400, message: 'wire: bad handshake' },
  WIRE_OVERSIZE: { status: 413, message: 'wire: message longer than the limit' },
  WIRE_MALFORMED: { status: 400, message: 'wire: malformed message' },
  WIRE_PROTOCOL: { status: 400, message: 'wire: message out of protocol' },
  WIRE_TIMEOUT: { status: 408, message: 'wire: peer timed out' },
  WIRE_CLOSED: { status: 400, message: 'wire: connection closed' },
  WIRE_METADATA: { status: 400, message: 'wire: bad metadata' },
  // WebRTC transport (the WebTorrent protocol's data channels)
  WEBRTC_UNAVAILABLE: { status: 503, message: 'webrtc: not available on this server' },
  WEBRTC_LIMIT: { status: 503, message: 'webrtc: too many connections' },
  WEBRTC_SIGNAL: { status: 400, message: 'webrtc: cannot answer the offer' },
  WEBRTC_TIMEOUT: { status: 408, message: 'webrtc: the data channel did not open in time' },
  // creating torrents
  CREATE_INPUT: { status: 400, message: 'create: cannot read the input' },
  CREATE_OPTIONS: { status: 400, message: 'create: invalid options' },
  CREATE_OUTPUT: { status: 500, message: 'create: cannot write the torrent' },
  // tracker (BEP 3, 7, 15, 23, 41, 48)
  TRACKER_BAD_REQUEST: { status: 400, message: 'tracker: malformed request' },
  TRACKER_TOO_LARGE: { status: 413, message: 'tracker: request too large' },
  TRACKER_NOT_ALLOWED: { status: 403, message: 'tracker: torrent not tracked here' },
  TRACKER_CONNECTION_ID: { status: 400, message: 'tracker: bad or expired connection id' },
  TRACKER_UNAVAILABLE: { status: 503, message: 'tracker: swarm store unavailable' },
  TRACKER_ALLOW_LIST: { status: 500, message: 'tracker: invalid allow-list file' },
  TRACKER_UDP_UNAVAILABLE: { status: 500, message: 'tracker: the batched UDP socket cannot be used here' },
  // feeds and OPML (RSS 2.0, RFC 4287 Atom, JSON Feed 1.1, OPML 2.0)
  FEED_INVALID: { status: 422, message: 'feed: not a valid feed' },
  FEED_TOO_LARGE: { status: 413, message: 'feed: larger than the limit' },
  FEED_UNSAFE: { status: 422, message: 'feed: refused unsafe markup' },
  FEED_FORMAT: { status: 501, message: 'feed: format not implemented' },
  // engine
  WEBSEED_FAILED: { status: 502, message: 'web seed: request failed' },
  WEBSEED_BAD_RESPONSE: { status: 502, message: 'web seed: bad response' },
  // aggregator (subscriptions, sync, library)
  AGGREGATOR_STATE: { status: 500, message: 'aggregator: state file unreadable' },
  AGGREGATOR_BUSY: { status: 409, message: 'aggregator: another sync or app is running' },
  AGGREGATOR_FETCH: { status: 502, message: 'aggregator: fetch failed' },
  AGGREGATOR_TOO_LARGE: { status: 413, message: 'aggregator: response larger than the limit' },
  AGGREGATOR_VERIFY: { status: 422, message: 'aggregator: download does not match the feed' },
  AGGREGATOR_DISK: { status: 507, message: 'aggregator: not enough disk space' },
  AGGREGATOR_STALLED: { status: 504, message: 'aggregator: no peer or web seed answered' },
  AGGREGATOR_NO_FEED: { status: 404, message: 'aggregator: not subscribed to that feed' },
  AGGREGATOR_NO_EPISODE: { status: 404, message: 'aggregator: no such episode' },
  AGGREGATOR_BUSY_EPISODE: { status: 409, message: 'aggregator: the episode is downloading' },
  AGGREGATOR_UNREACHABLE: { status: 422, message: 'aggregator: cannot read that address' },
  AGGREGATOR_NOT_A_FEED: { status: 422, message: 'aggregator: neither a feed nor a web page' },
  AGGREGATOR_NO_FEED_LINK: { status: 422, message: 'aggregator: the page links no feed' },
  APP_FORBIDDEN: { status: 403, message: 'app: request refused' },
  APP_LOGIN: { status: 401, message: 'app: log in first' },
  // database (src/db)
  DB_CONFIG: { status: 500, message: 'database: invalid database URL or options' },
  DB_UNAVAILABLE: { status: 503, message: 'database: unavailable' },
  DB_MIGRATION: { status: 500, message: 'database: migration failed' },
  // blob storage (src/storage)
  STORAGE_CONFIG: { status: 500, message: 'storage: invalid storage URL or options' },
  STORAGE_KEY_INVALID: { status: 400, message: 'storage: invalid blob key' },
  STORAGE_NOT_FOUND: { status: 404, message: 'storage: no such blob' },
  STORAGE_RANGE: { status: 416, message: 'storage: byte range outside the blob' },
  STORAGE_INTEGRITY: { status: 422, message: 'storage: size or hash does not match' },
  STORAGE_READ_ONLY: { status: 500, message: 'storage: read-only' },
  STORAGE_UNAVAILABLE: { status: 503, message: 'storage: unavailable' },
  // fixity (issue 22): re-hashing stored items, repairing damaged pieces from the swarm
  FIXITY_ABORTED: { status: 503, message: 'fixity: check or repair stopped' },
  FIXITY_REPAIR: { status: 500, message: 'fixity: repair failed' },
  // accounts and the catalog (src/catalog)
  USER_INVALID: { status: 400, message: 'account: invalid field' },
  USER_EXISTS: { status: 409, message: 'account: that username is taken' },
  AUTH_FAILED: { status: 401, message: 'account: wrong username or password' },
  TOKEN_INVALID: { status: 401, message: 'account: invalid or expired token' },
  ITEM_INVALID: { status: 400, message: 'item: invalid field' },
  ITEM_CONFLICT: { status: 409, message: 'item: already published' },
  ITEM_TAKEN_DOWN: { status: 451, message: 'item: taken down' },
  SEARCH_INVALID: { status: 400, message: 'search: invalid parameter' },
  COMMENT_INVALID: { status: 400, message: 'comment: invalid field' },
  REPORT_INVALID: { status: 400, message: 'report: invalid field' },
  // collections (playlists, issue 19)
  COLLECTION_INVALID: { status: 400, message: 'collection: invalid field' },
  COLLECTION_FULL: { status: 409, message: 'collection: limit reached' },
  // channels (issue 19): a 400 names the field (`name: ...`, `title: ...`)
  CHANNEL_INVALID: { status: 400, message: 'channel: invalid field' },
  CHANNEL_CONFLICT: { status: 409, message: 'channel: that name is taken' },
  // accounts (issue 19): one-time links, email addresses, deleting an account
  ACCOUNT_TOKEN_INVALID: { status: 400, message: 'account: invalid link' },
  EMAIL_TAKEN: { status: 409, message: 'account: email address in use' },
  // site settings and registration (issue 19, site admin)
  SETTINGS_INVALID: { status: 400, message: 'settings: invalid field' },
  REGISTRATION_CLOSED: { status: 403, message: 'account: registration is closed on this site' },
  INVITE_INVALID: {
    status: 403,
    message: 'account: this site registers by invitation; the invite code is missing, used or unknown',
  },
  ACCOUNT_PENDING: { status: 403, message: 'account: waiting for an admin to approve it' },
  LAST_ADMIN: { status: 409, message: 'account: the site must keep at least one admin' },
  // the site's HTTP API (src/web)
  HTTP_BAD_REQUEST: { status: 400, message: 'request: malformed' },
  HTTP_TOO_LARGE: { status: 413, message: 'request: larger than the limit' },
  HTTP_UNSUPPORTED: { status: 415, message: 'request: unsupported content type' },
  HTTP_RATE_LIMITED: { status: 429, message: 'request: too many, slow down' },
  FILE_USE_SWARM: {
    status: 503,
    message:
      "file: the site's peer is serving this address for this item; get the pieces there, or retry later",
  },
  AUTH_REQUIRED: { status: 401, message: 'account: a Bearer token is required' },
  FORBIDDEN: { status: 403, message: 'account: not allowed' },
  // resumable uploads (tus 1.0: core, creation, termination, expiration, checksum)
  UPLOAD_INVALID: { status: 400, message: 'upload: invalid request' },
  UPLOAD_VERSION: { status: 412, message: 'upload: unsupported tus version (use Tus-Resumable: 1.0.0)' },
  UPLOAD_OFFSET: { status: 409, message: 'upload: Upload-Offset does not match the bytes received' },
  UPLOAD_BUSY: { status: 423, message: 'upload: another request is writing this upload' },
  UPLOAD_GONE: { status: 410, message: 'upload: expired' },
  UPLOAD_CHECKSUM_ALGORITHM: { status: 400, message: 'upload: unsupported checksum algorithm' },
  UPLOAD_CHECKSUM: { status: 460, message: 'upload: checksum mismatch, the bytes were discarded' },
  // web limits (issue 15): account lockout
  AUTH_LOCKED: { status: 429, message: 'account: locked after too many wrong passwords' },
  // storage limits and archiving (issue 15, findings 1, 7, 8: quotas, free space, torrent-only caps)
  QUOTA_EXCEEDED: { status: 413, message: 'quota: this would go over your storage quota' },
  DISK_FULL: { status: 507, message: 'storage: not enough free disk space on the site, try again later' },
  TORRENT_TOO_LARGE: { status: 413, message: 'torrent: larger than this site accepts' },
  ARCHIVE_STALLED: { status: 504, message: 'archive: no progress, gave up' },
  // job queue (issue 18)
  JOBS_CONFIG: { status: 500, message: 'jobs: invalid job or queue configuration' },
  JOBS_NOT_RETRYABLE: { status: 409, message: 'jobs: only a failed or cancelled job can be retried' },
  // captions, transcripts and chapters (issue 18: src/media/captions*.ts)
  CAPTION_INVALID: { status: 422, message: 'captions: not a valid WebVTT or SRT file' },
  CAPTION_ENCODING: { status: 415, message: 'captions: not UTF-8 text' },
  CAPTION_TOO_LARGE: { status: 413, message: 'captions: larger than the limit' },
  CHAPTERS_INVALID: { status: 422, message: 'chapters: not valid podcast chapters JSON' },
  // command line
  // the outbound policy (src/net): addresses the site may contact on a user's behalf
  OUTBOUND_REFUSED: { status: 422, message: 'outbound: refused to contact an address inside the network' },
  USAGE: { status: 400, message: 'bad usage' },
  NOT_FOUND: { status: 404, message: 'not found' },
  INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a code from the registry; `detail` says what exactly went wrong. */
export class SeedcastError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const base = ERRORS[code];
    super(detail ? `${base.message}: ${detail}` : base.message, options);
    this.name = 'SeedcastError';
    this.code = code;
    this.status = base.status;
  }
}

/** True when `err` is a SeedcastError, optionally of one code. */
export function isSeedcastError(err: unknown, code?: ErrorCode): err is SeedcastError {
  return err instanceof SeedcastError && (code === undefined || err.code === code);
}
