/**
 * The site's public URLs, in one place: item pages, `.torrent` files, file URLs (the base of which
 * is each torrent's BEP 19 web seed), the tracker's announce URL, and each item's magnet link (BEP 9).
 * The base is the configured `--public-url`, or the address the server ended up listening on (known
 * only after `listen`).
 */

import { formatMagnet } from '../torrent/index.js';
import type { Item } from './index.js';

/** What an item's magnet link is made of. */
export type MagnetItem = Pick<Item, 'id' | 'infoHash' | 'infoHashV2' | 'totalLength' | 'torrentKey'> & {
  files: readonly { path: string; blobKey: string | null }[];
};

/** The name of every derivatives torrent: its folder, and the URL segment under the item. */
export const DERIVATIVES_TORRENT_NAME = 'derivatives';

export class SiteLinks {
  private base: string;
  /** The UDP tracker's port (the site's listening port), once known (`setUdpPort`). */
  private udpPort: number | undefined;

  constructor(base = 'http://127.0.0.1:8080') {
    this.base = base.replace(/\/+$/, '');
  }

  /** Sets the base once the server listens (when no public URL was configured). */
  setBase(base: string): void {
    this.base = base.replace(/\/+$/, '');
  }

  /**
   * Sets the port of the site's UDP tracker: the port number the site listens on, which differs
   * from the public URL's behind a reverse proxy (HTTP proxies do not carry UDP).
   */
  setUdpPort(port: number): void {
    this.udpPort = port;
  }

  get root(): string {
    return this.base;
  }

  announce(): string {
    return `${this.base}/announce`;
  }

  /**
   * The WebSocket tracker (the WebTorrent tracker protocol) at the same path as HTTP announces:
   * `ws://` for an `http://` site, `wss://` for `https://`.
   */
  wsAnnounce(): string {
    return `${this.base.replace(/^http/, 'ws')}/announce`;
  }

  /**
   * The UDP tracker (BEP 15) on the site's host, at the port it listens on (`setUdpPort`; until
   * then the public URL's own port when it names one); undefined when the port is not known.
   */
  udpAnnounce(): string | undefined {
    const url = new URL(this.base);
    const port = this.udpPort ?? (url.port === '' ? undefined : Number(url.port));
    return port === undefined ? undefined : `udp://${url.hostname}:${port}`;
  }

  /**
   * The site's trackers in the order torrents (one `announce-list` tier each, BEP 12) and magnet
   * links (`tr=`) name them: HTTP, UDP, then the WebSocket tracker browsers use.
   */
  trackers(): string[] {
    const udp = this.udpAnnounce();
    return [this.announce(), ...(udp ? [udp] : []), this.wsAnnounce()];
  }

  /**
   * The item's magnet link, or undefined without an info hash: `xt` (v1, and v2 for a hybrid), `dn`,
   * `xl`, `tr` (the site's trackers), `ws` (the web seed, once the site holds every file) and `xs`
   * (the `.torrent`), so a client can get the metadata from the site's peer (BEP 9), the torrent
   * file (libtorrent, aria2, Seedcast) or the bytes over HTTP (BEP 19) whatever it supports.
   */
  magnet(item: MagnetItem): string | undefined {
    if (!item.infoHash && !item.infoHashV2) return undefined;
    const name = item.files[0]?.path.split('/')[0];
    const stored = item.files.length > 0 && item.files.every((f) => f.blobKey !== null);
    return formatMagnet({
      ...(item.infoHash ? { infoHash: item.infoHash } : {}),
      ...(item.infoHashV2 ? { infoHashV2: item.infoHashV2 } : {}),
      ...(name !== undefined ? { name } : {}),
      length: item.totalLength,
      trackers: this.trackers(),
      webSeeds: stored ? [this.webSeed(item.id)] : [],
      peers: [],
      ...(item.torrentKey ? { sources: [this.torrent(item.id)] } : {}),
    });
  }

  itemApi(id: number): string {
    return `${this.base}/api/v1/items/${id}`;
  }

  itemPage(id: number): string {
    return `${this.base}/items/${id}`;
  }

  torrent(id: number): string {
    return `${this.base}/items/${id}.torrent`;
  }

  /** The item's thumbnail (a JPEG). */
  thumbnail(id: number): string {
    return `${this.base}/items/${id}/thumbnail.jpg`;
  }

  /** The web seed (BEP 19): ends with `/`, so clients append the torrent's name and file path. */
  webSeed(id: number): string {
    return `${this.base}/items/${id}/files/`;
  }

  /**
   * The derivatives torrent's web seed (issue 18): the item's folder, so that a client appending the
   * torrent's name (`derivatives`) and a file's path (BEP 19, multi-file) asks for
   * `/items/:id/derivatives/<file>`.
   */
  derivativesWebSeed(id: number): string {
    return `${this.base}/items/${id}/`;
  }

  /** A derivative file's URL (Range-capable). */
  derivative(id: number, file: string): string {
    return `${this.base}/items/${id}/derivatives/${encodeURIComponent(file)}`;
  }

  /** The item's derivatives torrent (one per item, all its derivatives). */
  derivativesTorrent(id: number): string {
    return `${this.base}/items/${id}/derivatives.torrent`;
  }

  /** The derivatives torrent's magnet link: its hashes, the site's trackers, web seed and `.torrent`. */
  derivativesMagnet(
    id: number,
    torrent: { infoHash: string | null; infoHashV2: string | null; length: number },
  ): string {
    return formatMagnet({
      ...(torrent.infoHash ? { infoHash: torrent.infoHash } : {}),
      ...(torrent.infoHashV2 ? { infoHashV2: torrent.infoHashV2 } : {}),
      name: DERIVATIVES_TORRENT_NAME,
      length: torrent.length,
      trackers: this.trackers(),
      webSeeds: [this.derivativesWebSeed(id)],
      peers: [],
      sources: [this.derivativesTorrent(id)],
    });
  }

  /** A file's URL: the web seed plus its path in the torrent (the name first), each part escaped. */
  file(id: number, path: string): string {
    return this.webSeed(id) + path.split('/').map(encodeURIComponent).join('/');
  }
}
