/**
 * What every format's parser does last: give each item a guid (the feed's own, or one derived from the
 * first enclosure URL, the link, or the title and date, so the same item keeps the same id across polls)
 * and drop repeated items (same guid, first one wins) and repeated enclosures (same URL and source).
 */

import type { FeedItem } from './types.js';

/** The stable id of an item that has none: its first enclosure URL, its link, or title and date. */
export function deriveGuid(item: FeedItem): string {
  const enclosure = item.enclosures[0]?.url;
  if (enclosure) return enclosure;
  if (item.link) return item.link;
  if (item.title || item.published) return `${item.title}|${item.published ?? ''}`;
  return `text:${item.descriptionText ?? ''}`;
}

/** Fill in missing guids and drop duplicated items and enclosures. */
export function finishItems(items: FeedItem[]): FeedItem[] {
  const seen = new Set<string>();
  const out: FeedItem[] = [];
  for (const item of items) {
    if (item.guid.trim() === '') {
      item.guid = deriveGuid(item);
      item.guidDerived = true;
    } else item.guid = item.guid.trim();
    if (seen.has(item.guid)) continue;
    seen.add(item.guid);
    const encs = new Set<string>();
    item.enclosures = item.enclosures.filter((e) => {
      const key = `${e.source} ${e.url}`;
      if (encs.has(key)) return false;
      encs.add(key);
      return true;
    });
    if (item.duration === undefined) {
      const d = item.enclosures.find((e) => e.duration !== undefined)?.duration;
      if (d !== undefined) item.duration = d;
    }
    out.push(item);
  }
  return out;
}

/** Copy the values that are defined and not empty strings onto `target` (keeps results compact). */
export function setDefined<T extends object>(target: T, values: { [K in keyof T]?: T[K] | undefined }): void {
  for (const key of Object.keys(values) as Array<keyof T>) {
    const value = values[key];
    if (value !== undefined && value !== '') target[key] = value as T[keyof T];
  }
}
