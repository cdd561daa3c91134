/**
 * The site's public URLs, in one place: item pages, `.torrent` files, file URLs (the base of which
 * is each torrent's BEP 19 web seed) and the tracker's announce URL. The base is the configured
 * `--public-url`, or the address the server ended up listening on (known only after `listen`).
 */

export class SiteLinks {
  private base: string;

  constructor(base = 'http://127.0.0.1:8080') {
    this.base = base.replace(/\/+$/, '');
  }

  /** Sets the base once the server listens (when no public URL was configured). */
  setBase(base: string): void {
    this.base = base.replace(/\/+$/, '');
  }

  get root(): string {
    return this.base;
  }

  announce(): string {
    return `${this.base}/announce`;
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

  /** A file's URL: the web seed plus its path in the torrent (the name first), each part escaped. */
  file(id: number, path: string): string {
    return this.webSeed(id) + path.split('/').map(encodeURIComponent).join('/');
  }
}
