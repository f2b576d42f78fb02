// The upload-request link page (/u/{token}, rendered by the server): sends each chosen file as
// a raw body to POST /u/{token}?name= with progress; the texts come from the form's data-*.
const form = document.getElementById('link-upload');
const list = document.getElementById('link-upload-list');

function send(file) {
  const row = document.createElement('li');
  const name = document.createElement('span');
  const bar = document.createElement('progress');
  const state = document.createElement('span');
  name.textContent = file.name;
  bar.max = 100;
  bar.value = 0;
  row.append(name, bar, state);
  list.prepend(row);
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/u/${encodeURIComponent(form.dataset.token)}?name=${encodeURIComponent(file.name || 'file')}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    };
    const done = (ok, detail) => {
      state.textContent = ok ? form.dataset.sent : `${form.dataset.failed}${detail ? `: ${detail}` : ''}`;
      state.className = ok ? 'sent' : 'failed';
      if (ok) bar.value = 100;
      resolve();
    };
    xhr.onload = () => {
      let message = '';
      try {
        message = JSON.parse(xhr.responseText)?.error?.message || '';
      } catch {
        /* only the status speaks */
      }
      done(xhr.status === 201, message);
    };
    xhr.onerror = () => done(false, '');
    xhr.send(file);
  });
}

form?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = form.querySelector('input[type=file]');
  const files = [...input.files];
  input.value = '';
  for (const file of files) await send(file); // one after another: a limited link counts each
});
