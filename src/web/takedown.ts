/**
 * Taking an item down and restoring it: the one sequence behind the API (`POST|DELETE
 * /api/v1/items/:id/takedown`) and the admin page's forms. A takedown marks the item, stops archiving
 * at once (its partial data removed), stops seeding and tracking it, and writes the audit log; a
 * restore undoes each step.
 */

import type { Item, ItemRepository, ModerationRepository } from '../catalog/index.js';
import type { Seeding } from '../distribution/index.js';
import { SeedcastError } from '../errors.js';
import type { ProcessingViews } from '../media/index.js';
import type { Archiver } from '../publishing/index.js';

export interface TakedownParts {
  items: ItemRepository;
  seeding: Seeding;
  archiver?: Archiver | undefined;
  moderation?: ModerationRepository | undefined;
  /** Cancels media jobs and removes derivatives on takedown; queues the work again on restore. */
  processing?: ProcessingViews | undefined;
}

type Actor = { id: number; username: string };

/** Takes item `id` down (404 when there is none, or it is down already); returns the item as stored. */
export async function takeDownItem(
  parts: TakedownParts,
  input: { actor: Actor; id: number; reason: string },
): Promise<Item> {
  const { items, seeding, archiver, moderation } = parts;
  const item = await items.get(input.id);
  if (!item || item.status === 'taken_down')
    throw new SeedcastError('NOT_FOUND', `no item ${input.id} to take down`);
  const down = (await items.takeDown(item.id, input.reason))!;
  await archiver?.stop(item.id); // no more downloading or serving; partial data removed
  await seeding.drop(item);
  await parts.processing?.forget?.(item.id); // jobs cancelled, derivatives removed
  await moderation?.record({
    actor: input.actor,
    action: 'item.takedown',
    targetType: 'item',
    targetId: item.id,
    target: item.title,
    reason: input.reason,
  });
  return down;
}

/** Restores a taken-down item: tracked, seeded (archived again if torrent-only), audited. */
export async function restoreItem(parts: TakedownParts, input: { actor: Actor; id: number }): Promise<Item> {
  const { items, seeding, archiver, moderation } = parts;
  const item = await items.get(input.id);
  if (item?.status !== 'taken_down')
    throw new SeedcastError('NOT_FOUND', `item ${input.id} is not taken down`);
  const restored = (await items.restore(item.id))!;
  seeding.track(restored.infoHash, restored.infoHashV2);
  await seeding.seed(restored);
  await moderation?.record({
    actor: input.actor,
    action: 'item.restore',
    targetType: 'item',
    targetId: item.id,
    target: item.title,
  });
  archiver?.start(restored);
  await parts.processing?.enqueue?.(restored.id); // derivatives made again
  return restored;
}
