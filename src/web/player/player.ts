/**
 * The item page's P2P player (bundled to `/static/player.js`): when P2P is on for this viewer and
 * the browser can (a secure context with service workers and `RTCPeerConnection`), the `<video>` or
 * `<audio>` in `#player` streams from the item's swarm (`swarm.ts`) through the service worker
 * (`stream.ts`, `sw.ts`), with the web seed as fallback; otherwise it stays the plain HTTP player and
 * no `RTCPeerConnection` is ever made. The viewer's choice (COMMON interface 5): `#player[data-p2p]`
 * (the server's resolution), `data-p2p-forced="1"` (`?p2p=0`: off whatever else), else
 * `localStorage['seedcast.p2p']` (`on`/`off`) wins; the `seedcast:p2p` event (`detail.on`) switches
 * live. Beside the player, `#p2p-stats` shows the peer count and the share of bytes from peers.
 */

import { decodeDescription } from './description.js';
import type { Chooser } from './sources.js';
import { startReporting } from './stats.js';
import { controlledBy, serveStreams } from './stream.js';
import { Swarm } from './swarm.js';

interface Running {
  swarm: Swarm;
  stop(): void;
}

function choice(container: HTMLElement): boolean {
  if (container.dataset.p2pForced === '1') return false;
  let stored: string | null = null;
  try {
    stored = localStorage.getItem('seedcast.p2p');
  } catch {
    // storage blocked: the server's resolution stands
  }
  if (stored === 'on' || stored === 'off') return stored === 'on';
  return container.dataset.p2p !== 'off';
}

function capable(): boolean {
  return isSecureContext && 'serviceWorker' in navigator && typeof RTCPeerConnection === 'function';
}

async function startP2p(
  media: HTMLMediaElement,
  itemId: string,
  fileIndex: number,
  contentType: string,
  label: HTMLElement | null,
): Promise<Running | undefined> {
  const response = await fetch(`/api/v1/items/${encodeURIComponent(itemId)}/p2p`, { cache: 'no-store' });
  if (!response.ok) return undefined;
  const torrent = decodeDescription(await response.json());
  if (torrent.trackers.length === 0 || !torrent.files[fileIndex]) return undefined;
  if (!(await controlledBy('/p2p-sw.js'))) return undefined;
  const swarm = new Swarm(torrent, { onWarning: (m) => console.debug('[p2p]', m) });
  swarm.start();
  const stopStreams = serveStreams(swarm, itemId, contentType);
  const show = () => {
    if (!label) return;
    label.hidden = false;
    label.textContent = swarm.stats.label();
  };
  const stopReports = startReporting(swarm.stats, itemId, show);
  const onHide = () => swarm.stop();
  addEventListener('pagehide', onHide);
  swap(media, `/p2p-stream/${encodeURIComponent(itemId)}/${fileIndex}`);
  return {
    swarm,
    stop() {
      removeEventListener('pagehide', onHide);
      stopReports();
      stopStreams();
      swarm.stop();
      if (label) label.hidden = true;
    },
  };
}

/** Points the element at `url`, keeping its position and whether it was playing. */
function swap(media: HTMLMediaElement, url: string): void {
  const at = media.currentTime;
  const playing = !media.paused;
  for (const source of Array.from(media.querySelectorAll('source'))) source.remove();
  media.src = url;
  if (at > 0) media.currentTime = at;
  if (playing) void media.play().catch(() => undefined);
}

/**
 * Starts the P2P player on this page, if it has one; nothing happens at import. The swarm carries the
 * original only: it streams while the chooser (`sources.ts`) plays the original, and stops when the
 * viewer (or a failure) switches to a derivative, which plays over HTTP.
 */
export function main(chooser: Chooser | undefined): void {
  const container = document.getElementById('player');
  const media = container?.querySelector<HTMLMediaElement>('video, audio');
  const itemId = container?.closest<HTMLElement>('[data-item-id]')?.dataset.itemId;
  const original = chooser?.playable().find((s) => s.origin === 'original');
  if (!container || !media || !itemId || !chooser || !original || container.dataset.fileIndex === undefined)
    return;
  const contentType = original.type.split(';')[0]!.trim() || 'application/octet-stream';
  const fileIndex = Number(container.dataset.fileIndex);
  const label = document.getElementById('p2p-stats');
  let running: Running | undefined;
  let starting = false;
  const state = {
    get swarm() {
      return running?.swarm;
    },
  };
  (window as unknown as { seedcastPlayer: unknown }).seedcastPlayer = state;
  const onOriginal = () => chooser.current()?.origin === 'original';

  const stop = (swapBack: boolean) => {
    if (!running) return;
    running.stop();
    running = undefined;
    delete container.dataset.p2pActive;
    const now = chooser.current();
    if (swapBack && now) swap(media, now.url);
  };
  const apply = async (on: boolean) => {
    if (on && onOriginal() && !running && !starting && capable()) {
      starting = true;
      try {
        running = await startP2p(media, itemId, fileIndex, contentType, label);
      } catch (err) {
        console.debug('[p2p] not started:', err);
      } finally {
        starting = false;
      }
      if (running && !onOriginal()) stop(false); // the viewer switched while the swarm was starting
      if (running) container.dataset.p2pActive = '1';
      else if (media.preload === 'none') media.preload = 'metadata';
    } else if (!on || !onOriginal()) {
      stop(on === false);
      if (media.preload === 'none') media.preload = 'metadata';
    }
  };
  void apply(choice(container));
  document.addEventListener('seedcast:p2p', (event) => {
    const detail = (event as CustomEvent<{ on?: unknown }>).detail;
    if (container.dataset.p2pForced === '1') return;
    void apply(detail?.on === true);
  });
  container.addEventListener('seedcast:source', () => {
    // the chooser already pointed the element at the new source
    if (!onOriginal()) stop(false);
    else if (!running && choice(container)) void apply(true);
  });
}
