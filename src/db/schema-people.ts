/**
 * The tables of issue 19 (people): channel follows, collections (playlists), one-time account tokens
 * (password reset, email verification, admin reset links) and invitations. Created by migration
 * 0016_people (`migrations-people.ts`); the columns it adds to existing tables (`users.email`...,
 * `channels.avatar_key`...) are in `schema.ts` beside the others of those tables.
 */

import type { ColumnType, Generated } from 'kysely';

type Defaulted<T> = ColumnType<T, T | undefined, T>;

export type CollectionVisibility = 'public' | 'unlisted';
export type AccountTokenPurpose = 'reset' | 'verify-email';

/** An account following a channel (its "subscriptions" page lists the channels' new items). */
export interface ChannelFollowsTable {
  user_id: number;
  channel_id: number;
  created_at: number;
}

/** A user's ordered list of any items (a playlist), public or unlisted. */
export interface CollectionsTable {
  id: Generated<number>;
  owner_id: number;
  title: string;
  description: Defaulted<string>;
  visibility: Defaulted<CollectionVisibility>;
  created_at: number;
  updated_at: number;
}

/** One item's place in a collection (`position` ascending; unique per collection and item). */
export interface CollectionItemsTable {
  collection_id: number;
  item_id: number;
  position: number;
  added_at: number;
}

/**
 * One-time tokens: a password reset (by email, or a link an admin made) or an email address to
 * verify. Only the SHA-256 of the token is kept; a token works once, before `expires_at`.
 */
export interface AccountTokensTable {
  token_hash: string;
  user_id: number;
  purpose: AccountTokenPurpose;
  /** The address being verified (`verify-email`), else null. */
  email: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Invitations for invite-only registration (the code's SHA-256; used once). */
export interface InvitesTable {
  code_hash: string;
  created_by: number;
  created_at: number;
  expires_at: number | null;
  used_by: number | null;
  used_at: number | null;
}

export interface PeopleSchema {
  channel_follows: ChannelFollowsTable;
  collections: CollectionsTable;
  collection_items: CollectionItemsTable;
  account_tokens: AccountTokensTable;
  invites: InvitesTable;
}

export const PEOPLE_TABLES: readonly (keyof PeopleSchema)[] = [
  'channel_follows',
  'collections',
  'collection_items',
  'account_tokens',
  'invites',
];
