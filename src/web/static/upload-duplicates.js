// The upload page's check for content published already (issue 19), used by `upload.js`: a file up
// to HASH_LIMIT is hashed here (SHA-256, crypto.subtle: https or localhost only) and the site asked
// (`POST /api/v1/items/check`) before a byte is sent; the hash also goes in the tus creation's
// Upload-Metadata, which the site refuses with 409 when the content is known. Larger files are
// checked by the site after hashing. A known file shows a link to its item instead of an upload.

const HASH_LIMIT = 1024 ** 3;

/** The file's SHA-256 (hex), or null when it is too large or the browser cannot digest it. */
export async function contentHash(file, progressText) {
  if (file.size > HASH_LIMIT || !globalThis.crypto?.subtle) return null;
  try {
    progressText.textContent = 'Checking whether this file is already published…';
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return null; // too large for memory, or no digest: upload, and let the site decide
  }
}

/** The published item with this content (`{ url, title }`), or null. */
export async function publishedAlready(sha256, csrf) {
  const res = await fetch('/api/v1/items/check', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify({ sha256 }),
  });
  if (res.status !== 200) return null;
  const body = await res.json();
  return body.exists ? body.item : null;
}

/** Shows, above the form, that the file is published already, with a link to its item. */
export function showDuplicate(form, item) {
  const box = document.createElement('div');
  box.className = 'notice error';
  box.id = 'form-error';
  box.setAttribute('role', 'alert');
  const link = document.createElement('a');
  link.href = new URL(item.url, window.location.href).pathname;
  link.id = 'duplicate-link';
  link.textContent = item.title;
  box.append('This file is already published: ', link, '. Nothing was uploaded.');
  form.before(box);
}
