/**
 * Items as rows and rows as items, for the items repository (`items.ts`): the column values of the
 * metadata and facts given (checked by `item-input.ts`), the tags written with an item, and the
 * `Item`s read back from rows with their files and tags.
 */

import type { Database, ItemRow } from '../db/index.js';
import { checkItemField, ITEM_FIELDS, nullable } from './item-fields.js';
import {
  blobKeyOrNull,
  checkMediaType,
  count,
  type ItemFacts,
  type ItemMetadata,
  infoHashV1,
  infoHashV2,
  invalid,
  optionalText,
} from './item-input.js';
import type { Item, ItemFile } from './items.js';

type Tx = Parameters<Parameters<ReturnType<Database['transaction']>['execute']>[0]>[0];

function toItem(row: ItemRow, tags: string[], files: ItemFile[]): Item {
  const item = {
    id: row.id,
    ownerId: row.owner_id,
    channelId: row.channel_id,
    license: row.license,
    mediaType: row.media_type,
    mimeType: row.mime_type,
    status: row.status,
    torrentOnly: row.torrent_only === 1,
    infoHash: row.info_hash,
    infoHashV2: row.info_hash_v2,
    torrentKey: row.torrent_key,
    totalLength: row.total_length,
    pieceLength: row.piece_length,
    durationMs: row.duration_ms,
    width: row.width,
    height: row.height,
    thumbnailKey: row.thumbnail_key,
    mediaCheckedAt: row.media_checked_at,
    bytesServed: row.bytes_served,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    takedownReason: row.takedown_reason,
    takenDownAt: row.taken_down_at,
    archiveState: row.archive_state ?? null,
    archiveError: row.archive_error ?? null,
    archiveAttempts: Number(row.archive_attempts ?? 0),
    tags,
    files,
  } as Item;
  // The declared fields (`item-fields.ts`), added in the declaration's order, so every item has one
  // shape. (Spreading an `Object.fromEntries` result here made each item a dictionary-mode object:
  // it doubled the home page's time and its garbage.)
  const columns = row as unknown as Record<string, unknown>;
  const fields = item as unknown as Record<string, unknown>;
  for (const f of ITEM_FIELDS) fields[f.name] = columns[f.column] ?? null;
  return item;
}

/** Column values for the metadata and facts present in `input` (absent fields stay untouched). */
export function columns(input: ItemMetadata & ItemFacts) {
  const has = (k: keyof (ItemMetadata & ItemFacts)) => Object.hasOwn(input, k) && input[k] !== undefined;
  const set: Record<string, unknown> = {};
  // The declared fields (`item-fields.ts`): a nullable one given as undefined is cleared.
  for (const f of ITEM_FIELDS) {
    if (nullable(f) ? Object.hasOwn(input, f.name) : has(f.name))
      set[f.column] = checkItemField(f, input[f.name]);
  }
  if (Object.hasOwn(input, 'license')) set.license = optionalText('license', input.license, 200);
  if (Object.hasOwn(input, 'channelId'))
    set.channel_id = count('channelId', input.channelId, { nullable: true });
  if (has('status')) {
    if (!['pending', 'ready', 'taken_down'].includes(input.status as string))
      invalid('status', 'unknown status');
    set.status = input.status;
  }
  if (has('mediaType')) set.media_type = checkMediaType(input.mediaType);
  if (Object.hasOwn(input, 'mimeType')) set.mime_type = optionalText('mimeType', input.mimeType, 255);
  if (Object.hasOwn(input, 'infoHash')) set.info_hash = infoHashV1(input.infoHash);
  if (Object.hasOwn(input, 'infoHashV2')) set.info_hash_v2 = infoHashV2(input.infoHashV2);
  if (Object.hasOwn(input, 'torrentKey')) set.torrent_key = blobKeyOrNull('torrentKey', input.torrentKey);
  if (Object.hasOwn(input, 'thumbnailKey'))
    set.thumbnail_key = blobKeyOrNull('thumbnailKey', input.thumbnailKey);
  for (const [k, column] of [
    ['pieceLength', 'piece_length'],
    ['durationMs', 'duration_ms'],
    ['width', 'width'],
    ['height', 'height'],
    ['mediaCheckedAt', 'media_checked_at'],
  ] as const) {
    if (Object.hasOwn(input, k)) set[column] = count(k, input[k], { nullable: true });
  }
  return set;
}

/** Links the item to these tags, creating the tags that do not exist yet (inside the item's transaction). */
export async function writeTags(tx: Tx, itemId: number, tags: string[]): Promise<void> {
  if (tags.length === 0) return;
  await tx
    .insertInto('tags')
    .values(tags.map((name) => ({ name })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const ids = await tx.selectFrom('tags').select('id').where('name', 'in', tags).execute();
  await tx
    .insertInto('item_tags')
    .values(ids.map((t) => ({ item_id: itemId, tag_id: t.id })))
    .execute();
}

/** The items of these rows, with their files (in torrent order) and tags (by name). */
export async function hydrate(db: Database, rows: ItemRow[]): Promise<Item[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [files, tags] = await Promise.all([
    db.selectFrom('item_files').selectAll().where('item_id', 'in', ids).orderBy('position').execute(),
    db
      .selectFrom('item_tags')
      .innerJoin('tags', 'tags.id', 'item_tags.tag_id')
      .select(['item_tags.item_id', 'tags.name'])
      .where('item_tags.item_id', 'in', ids)
      .orderBy('tags.name')
      .execute(),
  ]);
  return rows.map((row) =>
    toItem(
      row,
      tags.filter((t) => t.item_id === row.id).map((t) => t.name),
      files
        .filter((f) => f.item_id === row.id)
        .map((f) => ({
          position: f.position,
          path: f.path,
          length: f.length,
          blobKey: f.blob_key,
          mimeType: f.mime_type,
          sha256: f.sha256,
          ...(f.integrity ? { integrity: f.integrity } : {}),
        })),
    ),
  );
}
