/**
 * `bench:pages`' catalogue: a deterministic generator and the bulk seeding of a SQLite file with
 * items (realistic titles, Markdown descriptions, 1–5 tags from a 200-word vocabulary, licences,
 * media types, one file each; 70 % published into a channel by its owner), 300 users (`user0` is the
 * admin), 100 channels, and the people tables of issue 19: every user follows 0–20 channels (`user1`
 * exactly 20), 1,000 collections of 10–50 items (one in ten unlisted). Multi-row inserts, 500 rows
 * per statement, one transaction per 10,000 items.
 */

import { performance } from 'node:perf_hooks';
import { UserRepository } from '../src/catalog/index.js';
import { type Database, openDatabase } from '../src/db/index.js';

export const USERS = 300;
export const CHANNELS = 100;
export const COLLECTIONS = 1000;
/** The user following exactly FOLLOWED channels (the subscriptions page's viewer). */
export const FOLLOWER = 'user1';
export const FOLLOWED = 20;
const CHANNEL_SHARE = 0.7;
const ROWS = 500;

export interface Seeded {
  db: Database;
  hashes: string[];
}

/** A small deterministic generator (mulberry32), so every run seeds the same catalogue. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const random = rng(42);
export const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

export const WORDS = (
  'river forest city night morning ocean mountain rain storm wind bird song voice piano guitar drum ' +
  'lecture interview history science space planet star moon garden kitchen recipe travel train ' +
  'bicycle market festival dance theatre poetry story children school library museum archive film ' +
  'documentary news podcast episode season island desert snow winter summer autumn spring harbour ' +
  'bridge tower castle village farm harvest bread coffee tea jazz blues folk choir orchestra opera ' +
  'radio signal machine robot code software open source commons community protest election parliament ' +
  'climate energy solar water glacier volcano earthquake whale wolf bear fox owl insect flower tree ' +
  'mushroom soil stone light shadow colour paint sketch photo portrait street crowd silence echo ' +
  'memory dream journey home family friend teacher worker sailor pilot doctor nurse engineer artist ' +
  'writer reader walk run swim climb build repair craft wood metal glass paper ink book map atlas ' +
  'chart data model theory experiment field recording sound ambient noise loop sample beat remix'
).split(' ');
export const TYPES = ['video', 'audio', 'audio', 'image', 'text', 'video', 'audio', 'other'] as const;
const MIME: Record<string, [string, string]> = {
  video: ['video/mp4', 'mp4'],
  audio: ['audio/mpeg', 'mp3'],
  image: ['image/jpeg', 'jpg'],
  text: ['text/plain', 'txt'],
  other: ['application/zip', 'zip'],
};
/** Stored as the site stores them since migration 0018_licences: canonical SPDX ids. */
export const LICENSES = ['CC-BY-4.0', 'CC-BY-SA-4.0', 'CC-BY-NC-4.0', 'CC0-1.0', 'CC-BY-3.0', 'MIT', null];

export function title(): string {
  const n = 2 + Math.floor(random() * 5);
  const words = Array.from({ length: n }, () => pick(WORDS));
  return words.map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w)).join(' ');
}

function description(): string {
  const sentences = Array.from(
    { length: 2 + Math.floor(random() * 6) },
    () => `${title()} ${pick(WORDS)} ${pick(WORDS)} and ${pick(WORDS)}.`,
  );
  return `## About\n\n${sentences.join(' ')}\n\n- recorded near the *${pick(WORDS)}*\n- see [the archive](https://example.org/${pick(WORDS)})`;
}

/** Seeds `file` (or reuses its catalogue), then the people tables when they are empty. */
export async function seed(file: string, sizes: { items: number }): Promise<Seeded> {
  const ITEMS = sizes.items;
  const db = await openDatabase({ sqlite: file });
  const existing = await db.selectFrom('items').select('info_hash').execute();
  if (existing.length > 0) {
    console.log(`reusing ${file}: ${existing.length} items`);
    await seedPeople(db);
    return { db, hashes: existing.map((r) => r.info_hash!) };
  }
  const now = Date.now();
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owners: number[] = [];
  for (let i = 0; i < USERS; i++)
    owners.push((await users.register({ username: `user${i}`, password: 'correct horse' })).id);
  const channelIds: number[] = [];
  const channelOwner = new Map<number, number>();
  for (let i = 0; i < CHANNELS; i++) {
    const owner = pick(owners);
    const row = await db
      .insertInto('channels')
      .values({
        owner_id: owner,
        slug: `channel-${i}`,
        title: `The ${title()} channel`,
        description: description().slice(0, 200),
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    channelIds.push(row.id);
    channelOwner.set(row.id, owner);
  }
  await db
    .insertInto('tags')
    .values(WORDS.map((name) => ({ name })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const tagRows = await db.selectFrom('tags').select(['id', 'name']).execute();
  const tagIds = tagRows.map((t) => t.id);

  const hashes: string[] = [];
  const started = performance.now();
  for (let base = 0; base < ITEMS; base += 10_000) {
    await db.transaction().execute(async (tx) => {
      for (let start = base; start < Math.min(ITEMS, base + 10_000); start += ROWS) {
        const count = Math.min(ROWS, ITEMS - start);
        const items = Array.from({ length: count }, (_, k) => {
          const i = start + k;
          const type = pick(TYPES);
          const hash = (i + 1).toString(16).padStart(40, '0');
          hashes.push(hash);
          // Most items are published into a channel, by its owner.
          const channel = random() < CHANNEL_SHARE ? pick(channelIds) : null;
          return {
            owner_id: channel === null ? pick(owners) : channelOwner.get(channel)!,
            channel_id: channel,
            title: title(),
            description: description(),
            creator: `${pick(WORDS)} ${pick(WORDS)}`,
            license: pick(LICENSES),
            media_type: type,
            mime_type: MIME[type]![0],
            status: 'ready' as const,
            info_hash: hash,
            total_length: 1_000_000 + Math.floor(random() * 1e9),
            duration_ms: type === 'video' || type === 'audio' ? Math.floor(random() * 7_200_000) : null,
            created_at: now - (ITEMS - i) * 60_000,
            updated_at: now,
          };
        });
        const ids = await tx.insertInto('items').values(items).returning(['id', 'media_type']).execute();
        await tx
          .insertInto('item_files')
          .values(
            ids.map((r, k) => ({
              item_id: r.id,
              position: 0,
              path: `item-${start + k}.${MIME[r.media_type]![1]}`,
              length: items[k]!.total_length,
              blob_key: `files/bench/${start + k}`,
              mime_type: MIME[r.media_type]![0],
            })),
          )
          .execute();
        const links: { item_id: number; tag_id: number }[] = [];
        for (const r of ids) {
          const chosen = new Set<number>();
          const n = 1 + Math.floor(random() * 5);
          while (chosen.size < n) chosen.add(pick(tagIds));
          for (const tag_id of chosen) links.push({ item_id: r.id, tag_id });
        }
        await tx.insertInto('item_tags').values(links).execute();
      }
    });
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`seeded ${ITEMS} items, ${USERS} users, ${CHANNELS} channels in ${seconds.toFixed(1)} s`);
  await seedPeople(db);
  return { db, hashes };
}

/** Follows and collections, in bulk; skipped when the database already has collections. */
async function seedPeople(db: Database): Promise<void> {
  const has = await db.selectFrom('collections').select('id').limit(1).executeTakeFirst();
  if (has) return;
  const started = performance.now();
  const now = Date.now();
  const users = await db.selectFrom('users').select(['id', 'username']).orderBy('id').execute();
  const channels = (await db.selectFrom('channels').select('id').execute()).map((c) => c.id);
  const items = await db
    .selectFrom('items')
    .select(({ fn }) => [fn.max('id').as('max')])
    .executeTakeFirst();
  const maxItem = Number(items?.max ?? 0);
  const follows: { user_id: number; channel_id: number; created_at: number }[] = [];
  for (const user of users) {
    const n = user.username === FOLLOWER ? FOLLOWED : Math.floor(random() * (FOLLOWED + 1));
    const chosen = new Set<number>();
    while (chosen.size < Math.min(n, channels.length)) chosen.add(pick(channels));
    for (const channel_id of chosen) follows.push({ user_id: user.id, channel_id, created_at: now });
  }
  let links = 0;
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < follows.length; i += ROWS)
      await tx
        .insertInto('channel_follows')
        .values(follows.slice(i, i + ROWS))
        .execute();
    for (let start = 0; start < COLLECTIONS; start += ROWS) {
      const rows = Array.from({ length: Math.min(ROWS, COLLECTIONS - start) }, () => ({
        owner_id: pick(users).id,
        title: `${title()} (a collection)`,
        description: description().slice(0, 300),
        visibility: random() < 0.1 ? ('unlisted' as const) : ('public' as const),
        created_at: now,
        updated_at: now,
      }));
      const ids = await tx.insertInto('collections').values(rows).returning('id').execute();
      const members: { collection_id: number; item_id: number; position: number; added_at: number }[] = [];
      for (const { id } of ids) {
        const chosen = new Set<number>();
        const n = 10 + Math.floor(random() * 41);
        while (chosen.size < Math.min(n, maxItem)) chosen.add(1 + Math.floor(random() * maxItem));
        let position = 0;
        for (const item_id of chosen)
          members.push({ collection_id: id, item_id, position: position++, added_at: now });
      }
      links += members.length;
      for (let i = 0; i < members.length; i += ROWS)
        await tx
          .insertInto('collection_items')
          .values(members.slice(i, i + ROWS))
          .execute();
    }
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `seeded ${follows.length} follows, ${COLLECTIONS} collections (${links} items in them) in ${seconds.toFixed(1)} s`,
  );
}
