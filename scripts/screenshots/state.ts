/**
 * The screenshot script's site state, made through the public API as a user would: the admin (the
 * first account, `demo`) and a second account (`marta`), a channel each (`POST /api/v1/channels`,
 * avatar and banner by `PUT /api/v1/channels/:name/avatar|banner`), the demo items published into
 * them, a collection of two items (collections API) and the admin following marta's channel
 * (`PUT /api/v1/channels/:name/follow`). A part whose API is not built yet (404) is skipped with a
 * warning; channels then fall back to the repository so the items still belong to one.
 */

import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import type { SiteServices } from '../../src/web/app.js';
import { DEMOS, type Demo, makeChannelImages, makeDemo } from './demos.js';

export interface Account {
  id: number;
  username: string;
  password: string;
  token: string;
}

export interface State {
  admin: Account;
  second: Account;
  /** The admin's channel (slug) and the second account's. */
  channel: string;
  secondChannel: string;
  /** Item ids by demo file name. */
  items: Record<string, number>;
  /** The video shown on the item, edit and delete pages. */
  video: number;
  /** The collection (undefined when the collections API is not built yet). */
  collection?: number;
}

/** What the setup could not do (APIs not built yet), for the summary. */
export const setupWarnings: string[] = [];

function warn(message: string): void {
  setupWarnings.push(message);
  console.warn(`warning: ${message}`);
}

/** A small JSON/multipart client for one site. */
export class Api {
  constructor(readonly base: string) {}

  async call(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; form?: FormData } = {},
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | FormData | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) body = options.form;
    const res = await fetch(`${this.base}${path}`, { method, headers, ...(body ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, body: parsed };
  }

  /** Calls and requires one of `ok` statuses; a 404 returns undefined (not built yet) when `optional`. */
  async expect(
    label: string,
    call: Promise<{ status: number; body: unknown }>,
    options: { ok?: number[]; optional?: boolean } = {},
  ): Promise<unknown> {
    const { status, body } = await call;
    if ((options.ok ?? [200, 201, 202, 204]).includes(status)) return body ?? {};
    if (options.optional && (status === 404 || status === 405)) {
      warn(`${label}: ${status}, not built yet; skipped`);
      return undefined;
    }
    throw new Error(`${label}: ${status} ${JSON.stringify(body).slice(0, 300)}`);
  }

  async account(username: string): Promise<Account> {
    const password = 'correct horse battery staple';
    const user = (await this.expect(
      `register ${username}`,
      this.call('POST', '/api/v1/users', { json: { username, password } }),
    )) as { id: number };
    const { token } = (await this.expect(
      `token for ${username}`,
      this.call('POST', '/api/v1/tokens', { json: { username, password } }),
    )) as { token: string };
    return { id: user.id, username, password, token };
  }
}

async function fileForm(path: string): Promise<FormData> {
  const form = new FormData();
  form.append('file', await openAsBlob(path, { type: 'image/png' }), basename(path));
  return form;
}

/** A channel through the API, or (API not built yet) straight through the repository. */
async function channel(
  api: Api,
  site: SiteServices,
  owner: Account,
  input: { name: string; title: string; description: string; images?: { avatar: string; banner: string } },
): Promise<string> {
  const made = await api.expect(
    `POST /api/v1/channels (${input.name})`,
    api.call('POST', '/api/v1/channels', {
      token: owner.token,
      json: { name: input.name, title: input.title, description: input.description },
    }),
    { optional: true },
  );
  if (!made) {
    await site.channels.create({
      ownerId: owner.id,
      slug: input.name,
      title: input.title,
      description: input.description,
    });
    return input.name;
  }
  for (const kind of ['avatar', 'banner'] as const) {
    const path = input.images?.[kind];
    if (!path) continue;
    await api.expect(
      `PUT /api/v1/channels/${input.name}/${kind}`,
      api.call('PUT', `/api/v1/channels/${input.name}/${kind}`, {
        token: owner.token,
        form: await fileForm(path),
      }),
      { optional: true },
    );
  }
  return input.name;
}

async function publish(api: Api, owner: Account, demo: Demo, path: string, into: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const form = new FormData();
    for (const key of ['title', 'description', 'creator', 'date', 'license', 'tags'] as const)
      form.append(key, demo[key]);
    form.append('channel', into);
    form.append('file', await openAsBlob(path), demo.file);
    try {
      const body = (await api.expect(
        `publishing ${demo.file}`,
        api.call('POST', '/api/v1/items', { token: owner.token, form }),
      )) as { id: number };
      return body.id;
    } catch (err) {
      if (attempt >= 3) throw err;
      console.warn(`publishing ${demo.file} failed (${String(err)}), again`);
    }
  }
}

/** Everything after the first run: accounts, channels, items, a collection, a follow. */
export async function setUp(api: Api, site: SiteServices, work: string): Promise<State> {
  const admin = await api.account('demo');
  const second = await api.account('marta');
  const images = makeChannelImages(work);
  const studio = await channel(api, site, admin, {
    name: 'demo-studio',
    title: 'Demo Studio',
    description: 'Fractals, test signals and other **moving pictures** made by the Demo Studio collective.',
    images,
  });
  const notes = await channel(api, site, second, {
    name: 'field-notes',
    title: 'Marta’s field notes',
    description: 'Sounds recorded outdoors, untreated.',
  });
  const items: Record<string, number> = {};
  for (const demo of DEMOS) {
    const owner = demo.owner === 'demo' ? admin : second;
    items[demo.file] = await publish(
      api,
      owner,
      demo,
      makeDemo(work, demo),
      demo.owner === 'demo' ? studio : notes,
    );
  }
  const state: State = {
    admin,
    second,
    channel: studio,
    secondChannel: notes,
    items,
    video: items['mandelbrot-zoom.mp4']!,
  };

  const collection = (await api.expect(
    'POST /api/v1/collections',
    api.call('POST', '/api/v1/collections', {
      token: admin.token,
      json: {
        title: 'Something calm',
        description: 'Rain on a roof and a soft gradient: for **a slow evening**.',
        visibility: 'public',
      },
    }),
    { optional: true },
  )) as { id: number } | undefined;
  if (collection) {
    state.collection = collection.id;
    for (const file of ['rain-on-a-tin-roof.m4a', 'sunset-gradient.png']) {
      await api.expect(
        `adding ${file} to the collection`,
        api.call('POST', `/api/v1/collections/${collection.id}/items`, {
          token: admin.token,
          json: { item: items[file] },
        }),
      );
    }
  }
  await api.expect(
    `PUT /api/v1/channels/${notes}/follow`,
    api.call('PUT', `/api/v1/channels/${notes}/follow`, { token: admin.token }),
    { optional: true },
  );
  return state;
}

/**
 * Waits until no item's media work is queued or running (`processing.state` of `GET /api/v1/items/:id`),
 * so the pages show thumbnails and playable versions and no item page reloads itself mid-shot.
 */
export async function waitForProcessing(api: Api, ids: number[], timeoutMs = 300_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const busy: number[] = [];
    for (const id of ids) {
      const { body } = await api.call('GET', `/api/v1/items/${id}`);
      const state = (body as { processing?: { state?: string } } | undefined)?.processing?.state;
      if (state === 'queued' || state === 'running') busy.push(id);
    }
    if (busy.length === 0) return;
    if (Date.now() > until) {
      warn(`items ${busy.join(', ')} still processing after ${timeoutMs / 1000} s; photographing anyway`);
      return;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Closes registration (`PATCH /api/v1/admin/settings`); false when that API is not built yet. */
export async function closeRegistration(api: Api, admin: Account): Promise<boolean> {
  const done = await api.expect(
    'PATCH /api/v1/admin/settings',
    api.call('PATCH', '/api/v1/admin/settings', { token: admin.token, json: { registration: 'closed' } }),
    { optional: true },
  );
  return done !== undefined;
}
