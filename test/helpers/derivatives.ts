/**
 * Helpers of the derivatives scenarios (issue 18): an account and its token on a running site,
 * publishing a file through the API, reading the item's JSON, and waiting for its processing.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { RunningServer } from '../../src/server.js';

export interface Derivative {
  kind: string;
  label: string;
  mime: string;
  length: number;
  url: string;
  torrentUrl?: string;
  magnet?: string;
  integrity?: string;
  bitrate?: number;
}

export interface ItemJson {
  id: number;
  processing?: { state: string; progress?: number; error?: string } | null;
  derivatives?: Derivative[];
}

export async function tokenFor(server: RunningServer): Promise<string> {
  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await fetch(`${server.url}/api/v1/users`, json({ username: 'ada', password: 'correct horse' }));
  const res = await fetch(
    `${server.url}/api/v1/tokens`,
    json({ username: 'ada', password: 'correct horse' }),
  );
  return ((await res.json()) as { token: string }).token;
}

export async function publish(server: RunningServer, token: string, path: string, name: string) {
  const form = new FormData();
  form.append('title', name);
  form.append('file', new Blob([readFileSync(path)]), name);
  const res = await fetch(`${server.url}/api/v1/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as {
    id: number;
    processing?: ItemJson['processing'];
    derivatives?: Derivative[];
  };
}

export async function itemJson(server: RunningServer, id: number): Promise<ItemJson> {
  const res = await fetch(`${server.url}/api/v1/items/${id}`);
  assert.equal(res.status, 200);
  return (await res.json()) as ItemJson;
}

/** Polls the API until the item's processing is done or failed; returns the states seen. */
export async function settled(server: RunningServer, id: number, timeoutMs = 120_000) {
  const seen = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const item = await itemJson(server, id);
    if (item.processing) seen.add(item.processing.state);
    if (item.processing?.state === 'done' || item.processing?.state === 'failed') return { item, seen };
    if (Date.now() > deadline) throw new Error(`item ${id}: processing ${JSON.stringify(item.processing)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
