// Seedcast's upload page script (progressive enhancement: without it the form posts to /upload).
// A small tus 1.0 client (https://tus.io/protocols/resumable-upload): POST /api/v1/uploads creates
// the upload (Upload-Length, Upload-Metadata with filename and filetype), PATCH sends chunks with
// Upload-Offset, HEAD asks the server's offset. The upload's URL is kept in localStorage under the
// file's name, size and lastModified, so choosing the same file after a reload (or a lost
// connection) resumes from the offset the server has. Then POST /api/v1/items publishes it
// (upload=<id> and the metadata) and the page goes to the new item. A .torrent-only item is posted
// to the same API as a `torrent` part. API calls use the session cookie and the X-CSRF-Token header.
// A new file is first checked against what is published (`upload-duplicates.js`). Several files (a
// multi-select, a folder, or both) go as the form's own multipart post (`upload-several.js`).
import { contentHash, publishedAlready, showDuplicate } from './upload-duplicates.js';
import { postSeveral } from './upload-several.js';

(() => {
  const DEFAULT_CHUNK = 2 * 1024 * 1024;
  const STORE = 'seedcast-upload:';
  const form = document.getElementById('upload-form');
  if (!form) return;
  // The item's declared fields (`src/catalog/item-fields.ts`, listed by the page), tags and channel.
  const FIELDS = [...(form.dataset.itemFields ?? '').split(' ').filter(Boolean), 'tags', 'channel'];
  const fileInput = document.getElementById('f-file');
  const folderInput = document.getElementById('f-folder');
  const fileList = document.getElementById('upload-files');
  const torrentInput = document.getElementById('f-torrent');
  const dropzone = document.getElementById('dropzone');
  const chosen = document.getElementById('chosen-file');
  const status = document.getElementById('upload-status');
  const progress = document.getElementById('upload-progress');
  const progressText = document.getElementById('upload-progress-text');
  const pauseButton = document.getElementById('upload-pause');
  const submit = document.getElementById('upload-submit');
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  // Chunk size: 2 MiB; a test (or a very slow link) may set a smaller one in localStorage.
  const chunkBytes = Number(localStorage.getItem('seedcast-upload-chunk')) || DEFAULT_CHUNK;

  let paused = false;
  let current = null; // the running XMLHttpRequest
  let resumeWaiter = null;

  function formatBytes(n) {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    let v = n;
    while (v >= 1000 && i < units.length - 1) {
      v /= 1000;
      i += 1;
    }
    return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
  }

  function mode() {
    return form.querySelector('input[name="mode"]:checked')?.value === 'torrent' ? 'torrent' : 'file';
  }

  function showMode() {
    const m = mode();
    for (const el of form.querySelectorAll('[data-mode]')) el.hidden = el.getAttribute('data-mode') !== m;
  }

  /** Every file chosen: the multi-select's, then the folder's. */
  function chosenFiles() {
    return [...(fileInput.files ?? []), ...(folderInput?.files ?? [])];
  }

  function describeFile() {
    const files = chosenFiles();
    const total = files.reduce((n, f) => n + f.size, 0);
    const file = files[0];
    chosen.textContent =
      files.length > 1
        ? `${files.length} files (${formatBytes(total)})`
        : file
          ? `${file.name} (${formatBytes(file.size)})`
          : '';
    const title = document.getElementById('f-title');
    if (!file || !title || title.value.trim() !== '') return;
    const folder = (folderInput?.files?.[0]?.webkitRelativePath ?? '').split('/')[0];
    title.value = folder && files.length > 1 ? folder : file.name.replace(/\.[^.]+$/, '');
  }

  // --- errors next to their fields --------------------------------------------------------------

  function clearErrors() {
    for (const el of form.querySelectorAll('.field-error[data-js]')) el.remove();
    for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
    document.getElementById('form-error')?.remove();
  }

  function showError(message) {
    // API messages read "<code's text>: <field>: <why>": the first field of this form starts the detail
    let field = '';
    let why = message;
    for (const match of message.matchAll(/(?:^|: )([a-z_]+): /g)) {
      const name = match[1] === 'upload' ? 'file' : match[1];
      if (!document.getElementById(`f-${name}`)) continue;
      field = name === 'license' && form.elements.license.value === 'other' ? 'license_other' : name;
      why = message.slice(match.index + match[0].length);
      break;
    }
    const input = field ? document.getElementById(`f-${field}`) : null;
    if (input) {
      const p = document.createElement('p');
      p.className = 'field-error';
      p.id = `f-${field}-error`;
      p.setAttribute('data-js', '');
      p.textContent = why;
      document.getElementById(p.id)?.remove();
      (input.closest('.field, .dropzone') ?? input.parentElement).append(p);
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', p.id);
      input.focus();
      return;
    }
    const box = document.createElement('div');
    box.className = 'notice error';
    box.id = 'form-error';
    box.setAttribute('role', 'alert');
    box.textContent = message;
    form.before(box);
  }

  async function apiError(res) {
    try {
      const body = await res.json();
      if (body?.error?.message) return new Error(body.error.message);
    } catch {
      // not JSON
    }
    return new Error(`the site answered ${res.status}`);
  }

  // --- tus 1.0 ----------------------------------------------------------------------------------

  const tusHeaders = (extra) => ({ 'Tus-Resumable': '1.0.0', 'X-CSRF-Token': csrf, ...extra });

  function b64(text) {
    const bytes = new TextEncoder().encode(text);
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }

  function setProgress(done, total, note) {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    progress.value = pct;
    progress.textContent = `${pct}%`;
    progressText.textContent = `${note ? `${note} ` : ''}${pct}% · ${formatBytes(done)} of ${formatBytes(total)}`;
  }

  async function serverOffset(url) {
    const res = await fetch(url, { method: 'HEAD', headers: tusHeaders(), credentials: 'same-origin' });
    if (!res.ok) return null;
    const offset = Number(res.headers.get('Upload-Offset'));
    return Number.isSafeInteger(offset) ? offset : null;
  }

  function patch(url, offset, chunk, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      current = xhr;
      xhr.open('PATCH', url);
      xhr.withCredentials = true;
      const headers = tusHeaders({
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': String(offset),
      });
      for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onload = () => {
        current = null;
        resolve({
          status: xhr.status,
          offset: Number(xhr.getResponseHeader('Upload-Offset')),
          body: xhr.responseText,
        });
      };
      xhr.onerror = () => {
        current = null;
        reject(new Error('the connection was lost'));
      };
      xhr.onabort = () => {
        current = null;
        resolve({ status: 0, offset });
      };
      xhr.send(chunk);
    });
  }

  function waitWhilePaused() {
    if (!paused) return Promise.resolve();
    return new Promise((resolve) => {
      resumeWaiter = resolve;
    });
  }

  /** Uploads `file` (or resumes it); answers the upload's id and its localStorage key. */
  async function tusUpload(file, sha256) {
    const key = `${STORE}${file.name}:${file.size}:${file.lastModified}`;
    let url = localStorage.getItem(key);
    let offset = 0;
    if (url) {
      const known = await serverOffset(url);
      if (known === null) {
        localStorage.removeItem(key);
        url = null;
      } else {
        offset = known;
        if (offset > 0) setProgress(offset, file.size, 'Resuming:');
      }
    }
    if (!url) {
      const res = await fetch('/api/v1/uploads', {
        method: 'POST',
        credentials: 'same-origin',
        headers: tusHeaders({
          'Upload-Length': String(file.size),
          'Upload-Metadata': `filename ${b64(file.name)},filetype ${b64(file.type || 'application/octet-stream')}${sha256 ? `,sha256 ${b64(sha256)}` : ''}`,
        }),
      });
      if (res.status !== 201) throw await apiError(res);
      url = new URL(res.headers.get('Location'), window.location.href).pathname;
      localStorage.setItem(key, url);
      offset = 0;
    }
    let failures = 0;
    while (offset < file.size) {
      await waitWhilePaused();
      const end = Math.min(file.size, offset + chunkBytes);
      const start = offset;
      let answer;
      try {
        answer = await patch(url, start, file.slice(start, end), (sent) =>
          setProgress(start + sent, file.size),
        );
      } catch (err) {
        failures += 1;
        if (failures > 5) throw err;
        progressText.textContent = `Connection lost, retrying (${failures}/5)…`;
        await new Promise((r) => setTimeout(r, 1000 * failures));
        answer = { status: 409 };
      }
      if (answer.status === 204) {
        failures = 0;
        offset = answer.offset;
        setProgress(offset, file.size);
      } else if (answer.status === 0 || answer.status === 409 || answer.status === 423) {
        // paused (aborted), or the server has another offset: ask it
        const known = await serverOffset(url);
        if (known === null) throw new Error('the upload was lost on the server; choose the file again');
        offset = known;
        setProgress(offset, file.size, paused ? 'Paused at' : '');
        if (answer.status === 423) await new Promise((r) => setTimeout(r, 1000));
      } else {
        let message = `the site answered ${answer.status}`;
        try {
          message = JSON.parse(answer.body).error.message;
        } catch {
          // not JSON
        }
        throw new Error(message);
      }
    }
    setProgress(file.size, file.size, 'Uploaded:');
    return { id: url.split('/').pop(), key };
  }

  // --- publishing ------------------------------------------------------------------------------

  function metadata() {
    const data = new FormData();
    for (const name of FIELDS) {
      const el = form.elements[name];
      if (el && el.value !== '') data.append(name, el.value);
    }
    const license =
      form.elements.license.value === 'other'
        ? form.elements.license_other.value
        : form.elements.license.value;
    data.append('license', license.trim());
    return data;
  }

  async function publish(data) {
    progressText.textContent = 'Publishing (making the torrent)…';
    const res = await fetch('/api/v1/items', {
      method: 'POST',
      body: data,
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf },
    });
    if (res.status !== 201) throw await apiError(res);
    return res.json();
  }

  async function run() {
    clearErrors();
    submit.disabled = true;
    try {
      if (mode() === 'torrent') {
        const torrent = torrentInput.files?.[0];
        if (!torrent) throw new Error('torrent: choose a .torrent file');
        const data = metadata();
        data.append('torrent', torrent, torrent.name);
        const item = await publish(data);
        window.location.assign(`/items/${item.id}`);
        return;
      }
      const file = chosenFiles()[0];
      if (!form.elements.title.value.trim()) throw new Error('title: required');
      status.hidden = false;
      pauseButton.hidden = false;
      // A new upload (not one to resume) is first checked against what is published.
      const resuming = localStorage.getItem(`${STORE}${file.name}:${file.size}:${file.lastModified}`);
      const sha256 = resuming ? null : await contentHash(file, progressText);
      const existing = sha256 ? await publishedAlready(sha256, csrf) : null;
      if (existing) {
        status.hidden = true;
        pauseButton.hidden = true;
        clearErrors();
        showDuplicate(form, existing);
        submit.disabled = false;
        return;
      }
      setProgress(0, file.size, 'Starting:');
      const { id, key } = await tusUpload(file, sha256);
      pauseButton.hidden = true;
      const data = metadata();
      data.append('upload', id);
      const item = await publish(data);
      localStorage.removeItem(key);
      progressText.textContent = 'Published. Opening the item…';
      window.location.assign(`/items/${item.id}`);
    } catch (err) {
      showError(err instanceof Error ? err.message : String(err));
      submit.disabled = false;
    }
  }

  // --- wiring ----------------------------------------------------------------------------------

  form.addEventListener('submit', (event) => {
    const count = chosenFiles().length;
    // none: the plain way (the server answers with the page and its error)
    if (mode() === 'file' && count === 0) return;
    event.preventDefault();
    if (mode() === 'file' && count > 1) {
      clearErrors();
      if (!form.elements.title.value.trim()) showError('title: required');
      else
        postSeveral({
          form,
          files: chosenFiles(),
          submit,
          status,
          pauseButton,
          fileList,
          progressText,
          setProgress,
          showError,
        });
    } else run();
  });

  for (const radio of form.querySelectorAll('input[name="mode"]')) radio.addEventListener('change', showMode);
  showMode();
  const unfinished = Object.keys(localStorage).filter((k) => k.startsWith(STORE));
  if (unfinished.length > 0) {
    const name = unfinished[0].slice(STORE.length).replace(/:\d+:\d+$/, '');
    chosen.textContent = `An upload of “${name}” did not finish: choose the same file to continue where it stopped.`;
  }
  fileInput.addEventListener('change', describeFile);
  folderInput?.addEventListener('change', describeFile);
  pauseButton.hidden = true;
  pauseButton.addEventListener('click', () => {
    paused = !paused;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    if (paused) current?.abort();
    else if (resumeWaiter) {
      resumeWaiter();
      resumeWaiter = null;
    }
  });

  dropzone.classList.add('enhanced');
  for (const type of ['dragenter', 'dragover']) {
    dropzone.addEventListener(type, (e) => {
      e.preventDefault();
      dropzone.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'drop']) {
    dropzone.addEventListener(type, () => dropzone.classList.remove('dragging'));
  }
  dropzone.addEventListener('drop', (e) => {
    e.preventDefault();
    if (!e.dataTransfer?.files?.length) return;
    fileInput.files = e.dataTransfer.files;
    describeFile();
  });
})();
