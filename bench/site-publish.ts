/**
 * Publishing one file to a running site through its REST API, for the benchmarks that measure what
 * the site then sends (`offload.ts`, `browser-offload.ts`): an account, a token, one item.
 */

import { openAsBlob } from 'node:fs';
import { type Json, siteApi } from '../test/helpers/site-api.js';

export type { Json };

/** Creates the `bench` account and publishes `file` as `name`; `api` GETs (or sends `init`) with errors thrown. */
export async function publishFile(
  base: string,
  file: string,
  options: { title: string; name: string },
): Promise<{ item: Json; api: (path: string, init?: RequestInit) => Promise<Json> }> {
  const { api, account } = siteApi(base);
  const token = await account('bench', 'correct horse battery');
  const form = new FormData();
  form.append('title', options.title);
  form.append('license', 'CC0-1.0');
  form.append('file', await openAsBlob(file), options.name);
  const item = await api('/api/v1/items', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { item, api };
}
