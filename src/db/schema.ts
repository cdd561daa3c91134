/**
 * The typed schema of the site's database, as Kysely sees it (the tables themselves are created by
 * `migrations.ts`; the two must agree).
 *
 * Conventions that hold on SQLite and PostgreSQL alike:
 * - ids are integers the database generates; uploads use the tus upload id (text) instead;
 * - times are milliseconds since the epoch (`bigint`, read back as `number` on both);
 * - flags are `0 | 1` integers (SQLite has no boolean type);
 * - enumerations are text with a CHECK constraint;
 * - names are snake_case; repositories map rows to camelCase domain objects.
 */

import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { CaptionCuesTable, CaptionsTable, ItemChaptersTable } from './schema-captions.js';
import type { FixityTable } from './schema-fixity.js';
import { PEOPLE_TABLES, type PeopleSchema } from './schema-people.js';

/** A column the database fills in on insert unless given. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

/** `moderator` from migration 0019_roles (issue 19): moderates without running the site. */
export type Role = 'admin' | 'moderator' | 'user';
export type ItemStatus = 'pending' | 'ready' | 'taken_down';
export type ArchiveState = 'queued' | 'downloading' | 'failed' | 'gave-up' | 'done';
export type ProcessingState = 'queued' | 'running' | 'done' | 'failed';
export type MediaType = 'video' | 'audio' | 'image' | 'text' | 'software' | 'other';

export const ROLES: readonly Role[] = ['admin', 'moderator', 'user'];
export const ITEM_STATUSES: readonly ItemStatus[] = ['pending', 'ready', 'taken_down'];
export const MEDIA_TYPES: readonly MediaType[] = ['video', 'audio', 'image', 'text', 'software', 'other'];

export interface UsersTable {
  id: Generated<number>;
  /** As registered; unique without regard to case. */
  username: string;
  /** scrypt parameters, salt and hash in one string (see the catalog). */
  password_hash: string;
  role: Defaulted<Role>;
  created_at: number;
  disabled_at: number | null;
  /** Failed logins since `login_failures_since` (the lockout's window; migration 0010). */
  login_failures: Defaulted<number>;
  login_failures_since: number | null;
  /** No password login until then (except from `login_address`). */
  locked_until: number | null;
  /** SHA-256 of the account id and the client address of the last good login, hex. */
  login_address: string | null;
  /** Storage quota in bytes; null: the site's default; -1: none (migration 0011_quota_archive). */
  quota_bytes: Defaulted<number | null>;
  /** Share with other viewers (browser P2P): null: the site's default (migration 0012_browser_swarm). */
  p2p: Defaulted<'on' | 'off' | null>;
  /** Optional, for password resets (unique without regard to case; migration 0016_people). */
  email: Defaulted<string | null>;
  email_verified_at: Defaulted<number | null>;
  /** Registered while registration needs approval, and not yet approved; null: active. */
  pending_since: Defaulted<number | null>;
}

/** The site's settings an admin changes at run time (migration 0012_browser_swarm): name -> JSON text. */
export interface SiteSettingsTable {
  name: string;
  value: string;
  updated_at: number;
}

/** Bytes that reached people per item and channel (migration 0012; `src/distribution/traffic.ts`). */
export interface ItemTrafficTable {
  item_id: number;
  http_player: Defaulted<number>;
  http_download: Defaulted<number>;
  web_seed: Defaulted<number>;
  tcp: Defaulted<number>;
  webrtc: Defaulted<number>;
  browser_peers: Defaulted<number>;
  updated_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 of the token, hex; the token itself is never stored. */
  token_hash: string;
  name: Defaulted<string>;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
}

export interface SessionsTable {
  /** SHA-256 of the session cookie's value, hex. */
  id: string;
  user_id: number;
  created_at: number;
  expires_at: number;
}

export interface ChannelsTable {
  id: Generated<number>;
  owner_id: number;
  slug: string;
  title: string;
  description: Defaulted<string>;
  created_at: number;
  /** Blob keys of the channel's avatar and banner images (migration 0016_people). */
  avatar_key: Defaulted<string | null>;
  banner_key: Defaulted<string | null>;
  /** The feed's `itunes:category` (e.g. `Arts`, `Technology > Podcasting`); empty: none. */
  category: Defaulted<string>;
  /** The feed's `podcast:medium`: podcast, music, video, film, audiobook, newsletter or blog. */
  medium: Defaulted<string>;
  updated_at: Defaulted<number | null>;
}

export interface ItemsTable {
  id: Generated<number>;
  owner_id: number;
  channel_id: number | null;
  title: string;
  description: Defaulted<string>;
  creator: Defaulted<string>;
  /** The date the publisher gives (ISO 8601 text), not the upload time. */
  date: string | null;
  language: string | null;
  /** The series the item is part of, and its episode number (migration 0023_item_series). */
  series: Defaulted<string | null>;
  episode: Defaulted<number | null>;
  /** A Creative Commons URL or an SPDX id. */
  license: string | null;
  media_type: Defaulted<MediaType>;
  mime_type: string | null;
  status: Defaulted<ItemStatus>;
  torrent_only: Defaulted<0 | 1>;
  /** v1 info hash (SHA-1, lower-case hex). */
  info_hash: string | null;
  /** v2 info hash (SHA-256, lower-case hex). */
  info_hash_v2: string | null;
  /** Blob key of the `.torrent`. */
  torrent_key: string | null;
  total_length: Defaulted<number>;
  piece_length: number | null;
  duration_ms: number | null;
  width: number | null;
  height: number | null;
  thumbnail_key: string | null;
  /** When the media facts (ffprobe) were last read; null until then (migration 0006_media). */
  media_checked_at: number | null;
  /**
   * Bytes the site served over HTTP for this item until migration 0012, which copied them into
   * `item_traffic.http_download`; no longer written (per-channel counts are in `item_traffic`).
   */
  bytes_served: Defaulted<number>;
  created_at: number;
  updated_at: number;
  /** The item's tag names, space-separated (kept by triggers on `item_tags`; read by the search index). */
  tag_names: Defaulted<string>;
  /** Why an admin took the item down, and when (null unless `status` is `taken_down`). */
  takedown_reason: Defaulted<string | null>;
  taken_down_at: Defaulted<number | null>;
  /** Archiving a torrent-only item: queued, downloading, failed, gave-up, done (null otherwise). */
  archive_state: Defaulted<ArchiveState | null>;
  /** Why the last attempt failed or gave up. */
  archive_error: Defaulted<string | null>;
  /** Failed attempts since the last success or "try again". */
  archive_attempts: Defaulted<number>;
  /** Media work (migration 0014_derivatives): queued, running, done, failed; null: never queued. */
  processing_state: Defaulted<ProcessingState | null>;
  /** 0..1 while running. */
  processing_progress: Defaulted<number | null>;
  /** The failed job's error. */
  processing_error: Defaulted<string | null>;
  /** The derivatives torrent (one per item): v1 and v2 info hashes (hex) and its blob key. */
  derivatives_info_hash: Defaulted<string | null>;
  derivatives_info_hash_v2: Defaulted<string | null>;
  derivatives_torrent_key: Defaulted<string | null>;
  /** The distinct words of the item's captions, read by the search index (migration 0015_captions). */
  caption_words: Defaulted<string>;
}

export interface ItemFilesTable {
  id: Generated<number>;
  item_id: number;
  /** Order of the file in the torrent. */
  position: number;
  /** Path inside the torrent, components joined by `/`. */
  path: string;
  length: number;
  /** Where the bytes are stored; null while only the publisher seeds (torrent-only, not archived). */
  blob_key: string | null;
  mime_type: string | null;
  sha256: string | null;
  /** SHA-384 in Subresource Integrity form (`sha384-<base64>`; migration 0014_derivatives). */
  integrity: Defaulted<string | null>;
}

/** One file of an item's derivatives torrent (migration 0014_derivatives; `catalog/derivatives.ts`). */
export interface DerivativesTable {
  id: Generated<number>;
  item_id: number;
  /** video, audio, image, poster, storyboard, waveform, page. */
  kind: string;
  /** Short name for menus: `720p`, `mp3`, `poster`... */
  label: string;
  /** File name inside the derivatives torrent (and under `/items/:id/derivatives/`). */
  path: string;
  mime: string;
  width: number | null;
  height: number | null;
  /** Bits per second. */
  bitrate: number | null;
  duration_ms: number | null;
  length: number;
  blob_key: string;
  /** `sha384-<base64>`. */
  integrity: string | null;
  created_at: number;
}

export interface TagsTable {
  id: Generated<number>;
  name: string;
}

export interface ItemTagsTable {
  item_id: number;
  tag_id: number;
}

export interface CommentsTable {
  id: Generated<number>;
  item_id: number;
  user_id: number;
  /** The comment this one answers (threads); null for a top-level comment. */
  parent_id: Defaulted<number | null>;
  body: string;
  created_at: number;
  /** The thread's top-level comment (its own id for a top-level one; migration 0009_moderation). */
  root_id: number | null;
  /** 0 for a top-level comment, its parent's depth + 1 for a reply. */
  depth: Defaulted<number>;
  /** Page order inside a thread: shown ancestors' ids and its own, 12 digits each (catalog/comment-threads). */
  sort_key: string | null;
  edited_at: Defaulted<number | null>;
  /** Deleted, kept as "[deleted]" because it has replies (the body is emptied). */
  deleted_at: Defaulted<number | null>;
}

/** Moderation actions (migration 0009_moderation). */
export interface AuditLogTable {
  id: Generated<number>;
  actor_id: number | null;
  /** The actor's username when the action was taken. */
  actor: string;
  /** e.g. `comment.delete`, `user.disable`, `user.enable`, `item.takedown`, `item.restore`, `report.resolve`. */
  action: string;
  /** `comment`, `user`, `item` or `report`. */
  target_type: string;
  target_id: number | null;
  /** A short description of the target when the action was taken (a username, a title, a comment excerpt). */
  target: Defaulted<string>;
  reason: Defaulted<string>;
  created_at: number;
}

export interface FavouritesTable {
  user_id: number;
  item_id: number;
  created_at: number;
}

export interface ReportsTable {
  id: Generated<number>;
  item_id: number;
  reporter_id: number | null;
  reason: string;
  created_at: number;
  resolved_at: number | null;
}

export interface UploadsTable {
  /** The tus upload id. */
  id: string;
  user_id: number;
  /** Declared total length; null while deferred (tus `Upload-Defer-Length`). */
  length: number | null;
  /** Bytes received so far (tus `Upload-Offset`). */
  upload_offset: Defaulted<number>;
  /** tus `Upload-Metadata`, decoded, as JSON text. */
  metadata: Defaulted<string>;
  blob_key: string | null;
  created_at: number;
  expires_at: number | null;
  completed_at: number | null;
}

/** The job queue's states (issue 18; `src/jobs/types.ts`). */
export type JobRowState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** One job of the embedded queue (migration 0013; `src/jobs/embedded.ts`). */
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** The item it works on (no foreign key: the row of a cancelled job outlives its item). */
  item_id: number | null;
  /** Plain JSON data, as text. */
  payload: Defaulted<string>;
  state: Defaulted<JobRowState>;
  /** Attempts started so far. */
  attempts: Defaulted<number>;
  max_attempts: Defaulted<number>;
  /** 0..1 while running, when the handler reports it. */
  progress: number | null;
  /** The last attempt's error. */
  error: string | null;
  /** Not claimed before this time (a retry's backoff, a delayed job). */
  run_after: number;
  /** The claim of the worker running it, and until when it holds (renewed by its heartbeat). */
  lease_token: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface Schema extends PeopleSchema {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  channels: ChannelsTable;
  items: ItemsTable;
  item_files: ItemFilesTable;
  tags: TagsTable;
  item_tags: ItemTagsTable;
  comments: CommentsTable;
  favourites: FavouritesTable;
  reports: ReportsTable;
  uploads: UploadsTable;
  audit_log: AuditLogTable;
  site_settings: SiteSettingsTable;
  item_traffic: ItemTrafficTable;
  jobs: JobsTable;
  derivatives: DerivativesTable;
  captions: CaptionsTable;
  caption_cues: CaptionCuesTable;
  item_chapters: ItemChaptersTable;
  fixity: FixityTable;
}

export type TableName = keyof Schema;
export const TABLES: readonly TableName[] = [
  'users',
  'api_tokens',
  'sessions',
  'channels',
  'items',
  'item_files',
  'tags',
  'item_tags',
  'comments',
  'favourites',
  'reports',
  'uploads',
  'audit_log',
  'site_settings',
  'item_traffic',
  'jobs',
  'derivatives',
  'captions',
  'caption_cues',
  'item_chapters',
  'fixity',
  ...PEOPLE_TABLES,
];

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ItemRow = Selectable<ItemsTable>;
export type NewItem = Insertable<ItemsTable>;
export type ItemUpdate = Updateable<ItemsTable>;
export type ItemFileRow = Selectable<ItemFilesTable>;
export type NewItemFile = Insertable<ItemFilesTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
