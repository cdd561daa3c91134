/**
 * The player's service worker (served at `/p2p-sw.js`, scope `/items/`): answers the media
 * element's requests for `/p2p-stream/<itemId>/<fileIndex>` (a file of the item's torrent) and
 * `/p2p-stream/<itemId>/derivatives/<file>` (a file of its derivatives torrent, issue 18) with bytes
 * the page got from the swarm. For each request it asks the page (the requesting client) over a
 * `MessageChannel`: `{type: 'seedcast-stream', itemId, torrent: 'original', fileIndex, start, end}`
 * or `{..., torrent: 'derivatives', file, ...}`; the page answers `{length, contentType}` (or
 * `{error}`), then one `{chunk}` per `{pull}` until `{done}`; `{cancel}` when the element stops
 * reading. The answer is `206 Partial Content` with `Content-Range` for a `Range` request (RFC 9110
 * §14), `200` otherwise, its body a `ReadableStream` pulled as the element reads. When the page does
 * not answer, the request goes to the network, where the site redirects to the file's HTTP URL.
 * Every other request is left alone.
 */

/// <reference lib="webworker" />

const sw = self as unknown as ServiceWorkerGlobalScope;
const STREAM = /^\/p2p-stream\/(\d{1,16})\/(\d{1,6})$/;
const DERIVATIVE = /^\/p2p-stream\/(\d{1,16})\/derivatives\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})$/;

/** Which file of which torrent a stream request names. */
type Target = { torrent: 'original'; fileIndex: number } | { torrent: 'derivatives'; file: string };

sw.addEventListener('install', () => {
  void sw.skipWaiting();
});
sw.addEventListener('activate', (event) => {
  event.waitUntil(sw.clients.claim());
});
sw.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== sw.location.origin || event.request.method !== 'GET') return;
  const m = STREAM.exec(url.pathname);
  const d = m ? null : DERIVATIVE.exec(url.pathname);
  if (m) event.respondWith(answer(event, m[1]!, { torrent: 'original', fileIndex: Number(m[2]) }));
  else if (d) event.respondWith(answer(event, d[1]!, { torrent: 'derivatives', file: d[2]! }));
});

interface Head {
  length?: number;
  contentType?: string;
  error?: string;
}

function reply(port: MessagePort, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    port.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data as Record<string, unknown>);
    };
  });
}

async function pageOf(event: FetchEvent, itemId: string): Promise<Client | undefined> {
  const byId = event.clientId ? await sw.clients.get(event.clientId) : undefined;
  if (byId) return byId;
  const all = await sw.clients.matchAll({ type: 'window' });
  return all.find((c) => new URL(c.url).pathname.startsWith(`/items/${itemId}`));
}

async function answer(event: FetchEvent, itemId: string, target: Target): Promise<Response> {
  const client = await pageOf(event, itemId);
  if (!client) return fetch(event.request);
  const range = /^bytes=(\d+)-(\d*)$/.exec(event.request.headers.get('range') ?? '');
  const start = range ? Number(range[1]) : 0;
  const askedEnd = range?.[2] ? Number(range[2]) : undefined;
  const channel = new MessageChannel();
  const port = channel.port1;
  const first = reply(port, 10_000);
  client.postMessage({ type: 'seedcast-stream', itemId, ...target, start, end: askedEnd }, [channel.port2]);
  const head = (await first) as Head | undefined;
  if (!head || head.error !== undefined || typeof head.length !== 'number') {
    port.close();
    return fetch(event.request);
  }
  const length = head.length;
  if (start >= length && length > 0) {
    port.close();
    return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${length}` } });
  }
  const end = Math.min(askedEnd ?? length - 1, length - 1);
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = reply(port, 120_000);
        port.postMessage({ pull: true });
        const m = await next;
        if (!m || m.done || m.error) {
          port.close();
          if (m?.error || !m) controller.error(new Error(String(m?.error ?? 'the page stopped answering')));
          else controller.close();
          return;
        }
        controller.enqueue(m.chunk as Uint8Array);
      },
      cancel() {
        port.postMessage({ cancel: true });
        port.close();
      },
    },
    { highWaterMark: 0 },
  );
  const headers: Record<string, string> = {
    'Content-Type': head.contentType ?? 'application/octet-stream',
    'Content-Length': String(end - start + 1),
    'Accept-Ranges': 'bytes',
  };
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${length}`;
  return new Response(body, { status: range ? 206 : 200, headers });
}
