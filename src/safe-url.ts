/**
 * The links a user may put in a page or a feed: relative URLs and the `http`, `https`, `mailto` and
 * `magnet` schemes (RFC 3986 scheme syntax; control characters and spaces, which browsers ignore
 * inside a scheme, are ignored here too, so `java\tscript:` is refused). Used by the TSX renderer
 * (`web/html/jsx.ts`, for every URL attribute) and by the Markdown renderer (`markdown.ts`). A leaf:
 * imports nothing.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: browsers ignore these inside URL schemes
const URL_NOISE = /[\u0000-\u0020\u007f]/g;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'magnet']);

/** The URL itself when it is relative or uses a safe scheme, else `about:invalid#unsafe`. */
export function safeUrl(url: string): string {
  const scheme = SCHEME.exec(url.replace(URL_NOISE, ''));
  if (scheme && !SAFE_SCHEMES.has(scheme[1]!.toLowerCase())) return 'about:invalid#unsafe';
  return url;
}
