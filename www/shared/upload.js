// Raw-body uploads with progress (XMLHttpRequest: fetch() cannot report upload progress).
import { ApiError, getCsrfToken } from '/shared/api.js';

/*
 * POSTs file as the raw body to url (which carries ?name= and the rest), through
 * XMLHttpRequest for upload progress: onProgress(0..1). Returns { promise, abort }; the
 * promise resolves to the JSON answer or rejects with an ApiError.
 */
export function uploadWithProgress(url, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', url);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    const token = getCsrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        /* only the status speaks */
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data);
      const codes = { 413: 'payload_too_large', 401: 'unauthorized', 410: 'link_gone', 507: 'storage_full' };
      reject(new ApiError({ status: xhr.status, code: data?.error?.code || codes[xhr.status] || 'internal', message: data?.error?.message }));
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network' }));
    xhr.onabort = () => reject(new DOMException('upload aborted', 'AbortError'));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
