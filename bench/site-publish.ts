/**
 * Publishing one file to a running site through its REST API, for the benchmarks that measure what
 * the site then sends (`offload.ts`, `browser-offload.ts`): an account, a token, one item.
 */

import { openAsBlob } from 'node:fs';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of the site's API
export type Json = any;

/** Creates the `bench` account and publishes `file` as `name`; `api` GETs (or sends `init`) with errors thrown. */
export async function publishFile(
  base: string,
  file: string,
  options: { title: string; name: string },
): Promise<{ item: Json; api: (path: string, init?: RequestInit) => Promise<Json> }> {
  const api = async (path: string, init: RequestInit = {}): Promise<Json> => {
    const res = await fetch(`${base}${path}`, init);
    const body = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await api('/api/v1/users', json({ username: 'bench', password: 'correct horse battery' }));
  const { token } = await api(
    '/api/v1/tokens',
    json({ username: 'bench', password: 'correct horse battery' }),
  );
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
