// The upload page's post of several files (a multi-select, a folder from the second input, or
// both): the form's own multipart post to /upload, sent with XMLHttpRequest for a progress bar per
// file (the bytes sent laid over the files in order, as the multipart body has them). The server's
// answer is followed: the new item's page, or the form again with its errors.

/** Posts the form with its files, a progress bar per file; follows the server's answer. */
export function postSeveral(ui) {
  const { form, files, submit, status, pauseButton, fileList, progressText, setProgress, showError } = ui;
  submit.disabled = true;
  status.hidden = false;
  pauseButton.hidden = true;
  fileList.hidden = false;
  const rows = files.map((file) => {
    const li = document.createElement('li');
    const label = document.createElement('span');
    label.textContent = file.webkitRelativePath || file.name;
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute('aria-label', `Uploading ${label.textContent}`);
    li.append(label, ' ', bar);
    fileList.append(li);
    return { file, bar };
  });
  const total = files.reduce((n, f) => n + f.size, 0);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', form.action);
  xhr.upload.addEventListener('progress', (e) => {
    // the multipart body is the files in order, plus a little: lay the bytes sent over them
    let left = e.loaded * (total / Math.max(e.total, 1));
    for (const row of rows) {
      const share = Math.min(row.file.size, Math.max(0, left));
      row.bar.value = row.file.size === 0 ? 100 : Math.floor((share / row.file.size) * 100);
      left -= row.file.size;
    }
    setProgress(Math.min(total, e.loaded), total);
  });
  xhr.addEventListener('load', () => {
    const to = new URL(xhr.responseURL || form.action, window.location.href);
    if (to.pathname !== '/upload' && xhr.status < 400) {
      progressText.textContent = 'Published. Opening the item…';
      window.location.assign(to.pathname);
      return;
    }
    // refused: the server's page, with the errors next to their fields
    document.open();
    document.write(xhr.responseText);
    document.close();
  });
  xhr.addEventListener('error', () => {
    showError('the upload failed: check the connection and try again');
    submit.disabled = false;
  });
  xhr.send(new FormData(form));
}
