/**
 * Every page the screenshot script photographs: its file name (`docs/screenshots/<name>-<variant>.png`),
 * its path once the state is set up, and who looks at it (anonymous or the admin, who owns the demo
 * channel, video and collection). `home-first-run` and `register-closed` are taken in their own
 * phases (before any account; after registration is closed); `upload` is caught mid-upload.
 */

import type { State } from './state.js';

export type Viewer = 'anonymous' | 'admin';

export interface Shot {
  name: string;
  /** The path, or undefined when the state it needs could not be made (an API not built yet). */
  path: (state: State) => string | undefined;
  as: Viewer;
  /** Photographed whatever the status (except 404 and 5xx): a page that answers 403 on purpose. */
  anyStatus?: boolean;
  /** Seek the item page's video to a frame. */
  seek?: boolean;
  /** The upload page, mid-upload. */
  upload?: boolean;
}

export const FIRST_RUN: Shot = { name: 'home-first-run', path: () => '/', as: 'anonymous' };

export const REGISTER_CLOSED: Shot = {
  name: 'register-closed',
  path: () => '/register',
  as: 'anonymous',
  anyStatus: true,
};

export const SHOTS: Shot[] = [
  { name: 'home', path: () => '/', as: 'anonymous' },
  { name: 'item', path: (s) => `/items/${s.video}`, as: 'anonymous', seek: true },
  { name: 'item-edit', path: (s) => `/items/${s.video}/edit`, as: 'admin' },
  { name: 'item-delete', path: (s) => `/items/${s.video}/delete`, as: 'admin' },
  { name: 'search', path: () => '/search?q=mathematics', as: 'anonymous' },
  { name: 'upload', path: () => '/upload', as: 'admin', upload: true },
  { name: 'login', path: () => '/login', as: 'anonymous' },
  { name: 'register', path: () => '/register', as: 'anonymous' },
  { name: 'forgot-password', path: () => '/forgot-password', as: 'anonymous' },
  { name: 'account', path: () => '/account', as: 'admin' },
  { name: 'channels', path: () => '/channels', as: 'anonymous' },
  { name: 'channel-new', path: () => '/channels/new', as: 'admin' },
  { name: 'channel', path: (s) => `/channels/${s.channel}`, as: 'anonymous' },
  { name: 'channel-edit', path: (s) => `/channels/${s.channel}/edit`, as: 'admin' },
  { name: 'subscriptions', path: () => '/subscriptions', as: 'admin' },
  { name: 'collection-new', path: () => '/collections/new', as: 'admin' },
  {
    name: 'collection',
    path: (s) => (s.collection ? `/collections/${s.collection}` : undefined),
    as: 'anonymous',
  },
  {
    name: 'collection-edit',
    path: (s) => (s.collection ? `/collections/${s.collection}/edit` : undefined),
    as: 'admin',
  },
  { name: 'user', path: (s) => `/users/${s.admin.username}`, as: 'anonymous' },
  { name: 'user-collections', path: (s) => `/users/${s.admin.username}/collections`, as: 'anonymous' },
  { name: 'about', path: () => '/about', as: 'anonymous' },
  { name: 'admin', path: () => '/admin', as: 'admin' },
  { name: 'admin-settings', path: () => '/admin/settings', as: 'admin' },
  { name: 'admin-users', path: () => '/admin/users', as: 'admin' },
  { name: 'admin-jobs', path: () => '/admin/jobs', as: 'admin' },
];

/** Every shot's name, in the order taken (for `SCREENSHOTS_PAGES` and the output folder). */
export const ALL_NAMES = [FIRST_RUN.name, ...SHOTS.map((s) => s.name), REGISTER_CLOSED.name];
