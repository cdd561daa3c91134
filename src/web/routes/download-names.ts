/**
 * Names of what the site sends as downloads, in one place: a `.torrent` is named from its item's
 * title (`Café été.torrent`, not `11.torrent`), a file keeps its own name. `contentDisposition` writes
 * the header as RFC 6266 asks: `filename="<ASCII fallback>"` for old clients and
 * `filename*=UTF-8''<percent-encoded>` (RFC 8187, formerly 5987) with the real name. Names are made
 * safe for a file system on every platform (no path separators, control or reserved characters).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]+/g;
const MAX_NAME = 150;

/** The title as a file name (UTF-8 kept): unsafe characters become "_", spaces are tidied. */
export function titleFileName(title: string, fallback: string): string {
  const name = [...title.normalize('NFC').replace(UNSAFE, '_').replace(/\s+/g, ' ').trim()]
    .slice(0, MAX_NAME)
    .join('')
    .replace(/^[ .]+|[ .]+$/g, '');
  return name === '' || /^_+$/.test(name) ? fallback : name;
}

/** An ASCII stand-in for a name: accents dropped, other characters "-" (e.g. "Cafe ete"). */
export function asciiFileName(name: string, fallback: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 ._()+,=@-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-. ]+|[-. ]+$/g, '');
  return ascii === '' ? fallback : ascii;
}

/** RFC 8187's value-chars: `encodeURIComponent` leaves `'()*!` as they are; `'()*` must be encoded. */
function extValue(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `attachment|inline; filename="..."; filename*=UTF-8''...` for a file name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && /^\.[A-Za-z0-9]{1,10}$/.test(name.slice(dot)) ? name.slice(dot) : '';
  const ascii = `${asciiFileName(ext ? name.slice(0, dot) : name, 'download')}${ext}`;
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${extValue(name)}`;
}

/** The download name of an item's `.torrent` (`suffix` e.g. "-derivatives"). */
export function torrentFileName(item: { id: number; title: string }, suffix = ''): string {
  return `${titleFileName(item.title, `item-${item.id}`)}${suffix}.torrent`;
}
