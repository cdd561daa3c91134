/**
 * What the API (`PATCH|DELETE /api/v1/items/:id`, `item-admin.ts`) and the owner's pages
 * (`/items/:id/edit`, `/items/:id/delete`, `item-edit-pages.ts`) share, so both apply the same rules:
 * who may change an item (`editableItem`: its owner or an admin), how an edit body becomes the
 * catalog's metadata patch (`metadataPatch`: licence through `checkLicense`, tags from a list or a
 * comma-separated text, a channel only among the owner's own; the repository then checks every field
 * with `src/catalog/item-input.ts`, ITEM_INVALID naming it), and how an item is removed (`removeItem`:
 * archiving stopped, no more seeding, media jobs and captions forgotten, the row deleted, then its
 * blobs).
 */

import {
  type ChannelRepository,
  ITEM_FIELD_NAMES,
  type Item,
  type ItemFieldInput,
  type ItemMetadata,
  type ItemRepository,
  type User,
} from '../../catalog/index.js';
import type { Seeding } from '../../distribution/index.js';
import { SeedcastError } from '../../errors.js';
import { checkLicense } from '../../licenses.js';
import type { CaptionViews, ProcessingViews } from '../../media/index.js';
import type { Archiver } from '../../publishing/index.js';
import type { BlobStore } from '../../storage/index.js';

/** An edit as sent: the API's JSON body, or the edit form's fields. */
export interface ItemPatchBody extends ItemFieldInput {
  license?: string | null;
  tags?: string[] | string;
  channel?: string | null;
}

/** The item, when `user` may change it: its owner or an admin (403 otherwise; 404 when none). */
export async function editableItem(
  items: Pick<ItemRepository, 'get'>,
  id: number,
  user: User,
): Promise<Item> {
  const item = await items.get(id);
  if (!item || (item.status === 'taken_down' && user.role !== 'admin'))
    throw new SeedcastError('NOT_FOUND', `no item ${id}`);
  if (item.ownerId !== user.id && user.role !== 'admin')
    throw new SeedcastError('FORBIDDEN', 'not your item');
  return item;
}

/** The catalog's patch for an edit body (only the fields given); ITEM_INVALID names a bad one. */
export async function metadataPatch(
  body: ItemPatchBody,
  item: Item,
  options: { channels: Pick<ChannelRepository, 'byOwner' | 'bySlug'> },
): Promise<ItemMetadata> {
  const patch: ItemMetadata = {};
  // The declared fields (`src/catalog/item-fields.ts`) as given: the catalog checks them ("" clears).
  const declared: Record<string, unknown> = {};
  for (const name of ITEM_FIELD_NAMES) if (body[name] !== undefined) declared[name] = body[name];
  Object.assign(patch, declared);
  if (body.license !== undefined) patch.license = checkLicense(body.license);
  if (body.tags !== undefined)
    patch.tags = (typeof body.tags === 'string' ? body.tags.split(',') : body.tags).filter(
      (t) => t.trim() !== '',
    );
  if (body.channel !== undefined) {
    const wanted = body.channel?.trim().toLowerCase();
    if (!wanted) patch.channelId = null;
    else {
      // The item's owner's channels (an admin edits on the owner's behalf).
      const found = (await options.channels.byOwner(item.ownerId)).find((c) => c.slug === wanted);
      if (!found) {
        if (await options.channels.bySlug(wanted))
          throw new SeedcastError('FORBIDDEN', `channel: "${wanted}" belongs to another account`);
        throw new SeedcastError('ITEM_INVALID', `channel: the owner has no channel "${wanted}"`);
      }
      patch.channelId = found.id;
    }
  }
  return patch;
}

export interface RemoveServices {
  items: Pick<ItemRepository, 'delete'>;
  seeding: Pick<Seeding, 'drop'>;
  blobs: Pick<BlobStore, 'delete'>;
  archiver?: Pick<Archiver, 'stop'>;
  processing?: Pick<ProcessingViews, 'forget'>;
  captions?: Pick<CaptionViews, 'forget'>;
}

/** Removes an item and everything kept for it; blobs that cannot be deleted are logged, not fatal. */
export async function removeItem(
  item: Item,
  services: RemoveServices,
  options: { warn?: (err: unknown, key: string) => void } = {},
): Promise<void> {
  await services.archiver?.stop(item.id); // no more downloading or serving; partial data removed
  await services.seeding.drop(item);
  await services.processing?.forget?.(item.id); // jobs cancelled, derivatives removed
  await services.captions?.forget?.(item.id); // caption files (their rows go with the item)
  await services.items.delete(item.id);
  const keys = [...item.files.map((f) => f.blobKey), item.torrentKey, item.thumbnailKey];
  for (const key of keys) {
    if (!key) continue;
    await services.blobs.delete(key).catch((err: unknown) => options.warn?.(err, key));
  }
}
