/**
 * Where the site may send a browser after a form (`next=` after logging in, and any other redirect
 * whose target comes from a request): only to a path on this site. The target is resolved the way a
 * browser resolves a `Location` header (WHATWG URL: tabs and newlines dropped, `\` read as `/` for
 * http(s), percent-escapes kept) against a placeholder origin; anything that lands elsewhere (`//host`,
 * `/\host`, `/<TAB>/host`, `https://x`, `javascript:`) is refused. What comes back is the normalised
 * path, query and fragment, so the `Location` sent is exactly what was checked.
 */

const PLACEHOLDER = 'http://seedcast.invalid';
const MAX_TARGET = 2000;

/** `next` as a same-origin path (`/a?b#c`), or undefined when it is missing, too long or leads elsewhere. */
export function safeRedirectPath(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length === 0 || next.length > MAX_TARGET) return undefined;
  // A path must start with one "/" (after what a browser strips: C0 controls and spaces at the ends).
  if (!next.startsWith('/')) return undefined;
  let url: URL;
  try {
    url = new URL(next, `${PLACEHOLDER}/`);
  } catch {
    return undefined;
  }
  if (url.origin !== PLACEHOLDER || url.username !== '' || url.password !== '') return undefined;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The result must itself read as a path on this site (never "//x" after normalisation).
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return undefined;
  return path;
}
