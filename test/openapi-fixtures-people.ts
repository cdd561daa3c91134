/**
 * The OpenAPI test's fixtures for issue 19's routes (channels, collections, accounts): the state
 * their operations need on the site (a channel with a follower-to-be and one to delete, a
 * collection of two items and one to delete, accounts with an unverified address, a verification
 * token, a reset token, one to delete) and, per operation (`METHOD /path`), the request that should
 * succeed. Used by `openapi-fixtures.ts`.
 */

import type { Call } from './openapi-fixtures.js';
import { login, multipart, type TestSite } from './site-fixtures.js';

/** A 1x1 greyscale PNG (signature, IHDR, IDAT, IEND with their CRCs). */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55' +
    '0000000a49444154789c636000000002000148afa4710000000049454e44ae426082',
  'hex',
);

const PASSWORD = 'correct horse';

export async function peopleCalls(
  s: TestSite,
  options: {
    admin: Record<string, string>;
    item: number;
    /** Publishes an item as the admin (its id). */
    publish: (title: string) => Promise<number>;
  },
): Promise<Record<string, () => Promise<Call>>> {
  const { admin, item } = options;
  const accounts = s.site.accounts;
  if (!accounts) throw new Error('the site has no account services');
  const post = async (url: string, payload: unknown): Promise<Record<string, unknown>> => {
    const res = await s.app.inject({ method: 'POST', url, payload: payload as object, headers: admin });
    if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  /** A new account: its Bearer header and id. */
  const account = async (name: string) => {
    const headers = await login(s.app, name, PASSWORD);
    const user = await s.site.users.byName(name);
    if (!user) throw new Error(`no account ${name}`);
    return { headers, id: user.id };
  };

  // Channels: one to read, change, illustrate and follow; one to delete.
  const channel = (await post('/api/v1/channels', { name: 'ada-sounds', title: 'Ada sounds' }))
    .name as string;
  const doomedChannel = (await post('/api/v1/channels', { name: 'ada-old', title: 'Old' })).name as string;
  // Collections: one of two items, one to delete.
  const extra = await options.publish('extra');
  const collection = (await post('/api/v1/collections', { title: 'Mix', description: 'Two items' }))
    .id as number;
  for (const id of [item, extra]) await post(`/api/v1/collections/${collection}/items`, { item: id });
  const doomedCollection = (await post('/api/v1/collections', { title: 'Old mix' })).id as number;
  // Accounts: an unverified address (resend), a verification and a reset token, one to delete.
  const dora = await account('dora');
  await accounts.emails.set(dora.id, 'dora@example.org');
  const erin = await account('erin');
  await accounts.emails.set(erin.id, 'erin@example.org');
  const verify = await accounts.tokens.issue(erin.id, 'verify-email', { email: 'erin@example.org' });
  const finn = await account('finn');
  const reset = await accounts.tokens.issue(finn.id, 'reset');
  const gail = await account('gail');

  const image = (kind: string) => async (): Promise<Call> => {
    const form = multipart([{ name: 'file', value: PNG, filename: `${kind}.png`, type: 'image/png' }]);
    return { params: { name: channel }, payload: form.payload, headers: form.headers };
  };
  const inCollection = async (): Promise<Call> => ({ params: { id: collection } });
  return {
    'get /api/v1/channels/{name}': async () => ({ params: { name: channel } }),
    'patch /api/v1/channels/{name}': async () => ({
      params: { name: channel },
      body: { title: 'Ada sounds, edited', description: 'Field recordings' },
    }),
    'delete /api/v1/channels/{name}': async () => ({ params: { name: doomedChannel } }),
    'put /api/v1/channels/{name}/avatar': image('avatar'),
    'put /api/v1/channels/{name}/banner': image('banner'),
    'put /api/v1/channels/{name}/follow': async () => ({ params: { name: channel }, as: 'bob' }),
    'delete /api/v1/channels/{name}/follow': async () => ({ params: { name: channel }, as: 'bob' }),
    'get /api/v1/collections': async () => ({ query: { user: 'ada' } }),
    'get /api/v1/collections/{id}': inCollection,
    'patch /api/v1/collections/{id}': async () => ({
      params: { id: collection },
      body: { title: 'Mix, edited' },
    }),
    'delete /api/v1/collections/{id}': async () => ({ params: { id: doomedCollection } }),
    'put /api/v1/collections/{id}/items': async () => ({
      params: { id: collection },
      body: { items: [extra, item] },
    }),
    // Already there: a no-op (200), whatever the order of the calls.
    'post /api/v1/collections/{id}/items': async () => ({ params: { id: collection }, body: { item } }),
    'delete /api/v1/collections/{id}/items/{item}': async () => ({
      params: { id: collection, item: extra },
    }),
    'get /collections/{id}/feed.rss': inCollection,
    'get /collections/{id}/feed.atom': inCollection,
    'get /collections/{id}/feed.json': inCollection,
    'get /embed/collections/{id}': inCollection,
    'put /api/v1/account/email': async () => ({ body: { email: 'ada@example.org' } }),
    'post /api/v1/account/email/verify': async () => ({ body: { token: verify.token }, as: 'anonymous' }),
    'post /api/v1/account/email/resend': async () => ({ as: 'anonymous', headers: dora.headers }),
    'post /api/v1/password-resets': async () => ({ body: { username: 'bob' }, as: 'anonymous' }),
    'post /api/v1/password-resets/confirm': async () => ({
      body: { token: reset.token, password: 'a brand new password' },
      as: 'anonymous',
    }),
    'delete /api/v1/account': async () => ({
      body: { password: PASSWORD, items: 'delete' },
      as: 'anonymous',
      headers: gail.headers,
    }),
    'post /api/v1/items/check': async () => ({ body: { sha256: 'ab'.repeat(32) } }),
  };
}
