// Knowledge-base pieces both apps use: rendered article HTML, search snippets, badges, line diffs.
import { html, useEffect, useLayoutEffect, useRef, useState } from '/shared/preact.js';
import { t } from '/shared/i18n.js';
import { Icon } from '/shared/ui.js';

/* ---------- hooks ---------- */

/* value, once it has stopped changing for ms milliseconds. */
export function useDebounced(value, ms) {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/* Whether the media query matches; follows changes (rotation, resizing). */
export function useMedia(query) {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const mq = window.matchMedia(query);
    const update = () => setMatches(mq.matches);
    update();
    mq.addEventListener('change', update);
    return () => mq.removeEventListener('change', update);
  }, [query]);
  return matches;
}

/* Sets the document title after the shell did (the shell names the section only). */
export function useDocumentTitle(title, appTitleKey) {
  useEffect(() => {
    if (!title) return undefined;
    const frame = requestAnimationFrame(() => (document.title = `${title} · ${t(appTitleKey)}`));
    return () => cancelAnimationFrame(frame);
  }, [title, appTitleKey, t(appTitleKey)]);
}

/* ---------- rendered articles ---------- */

function normalized(text) {
  return String(text || '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/*
 * Makes the server's HTML sit under the page's own h1: headings go one level down, a first
 * heading that repeats the title is hidden, kb:ID links point into this app, links to other
 * sites open in a new tab, wide tables scroll on their own.
 */
function polish(root, { title, linkBase }) {
  for (const a of root.querySelectorAll('a[href]')) {
    const href = a.getAttribute('href');
    const kb = /^kb:(\d+)$/.exec(href);
    if (kb) {
      a.setAttribute('href', `${linkBase}/${kb[1]}`);
      continue;
    }
    let url;
    try {
      url = new URL(href, location.href);
    } catch {
      continue;
    }
    if (url.origin !== location.origin) {
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
    }
  }
  for (const h of root.querySelectorAll('h1, h2, h3, h4, h5')) {
    const lower = document.createElement(`h${Number(h.tagName[1]) + 1}`);
    while (h.firstChild) lower.appendChild(h.firstChild);
    h.replaceWith(lower);
  }
  const first = root.firstElementChild;
  if (first?.tagName === 'H2' && title && normalized(first.textContent) &&
      normalized(title).startsWith(normalized(first.textContent)))
    first.hidden = true;
  for (const table of root.querySelectorAll('table')) {
    const wrap = document.createElement('div');
    wrap.className = 'kb-table-wrap';
    table.replaceWith(wrap);
    wrap.appendChild(table);
  }
  for (const img of root.querySelectorAll('img')) img.loading = 'lazy';
}

/*
 * An article body: markup is the server's cmark safe-mode output (the one HTML this UI
 * injects); title lets a leading duplicate heading go; linkBase is /app/kb or /cabinet/help.
 */
export function Prose({ markup, title, linkBase, class: extra }) {
  const ref = useRef(null);
  useLayoutEffect(() => {
    const root = ref.current;
    root.innerHTML = markup || '';
    polish(root, { title, linkBase });
  }, [markup, title, linkBase]);
  return html`<div ref=${ref} class=${'kb-prose' + (extra ? ' ' + extra : '')}></div>`;
}

/* ---------- search snippets ---------- */

/* Drops what Markdown leaves in a plain-text snippet: link targets, brackets, rules. */
function tidy(text) {
  return text
    .replace(/\]\([^)\s]*\)?/g, '')
    .replace(/!?\[/g, '')
    .replace(/-{3,}/g, ' ')
    .replace(/\s{2,}/g, ' ');
}

/* The server's snippet segments; hits in <mark>, the rest as text. */
export function Snippet({ segments, class: extra }) {
  const parts = (segments || []).map((s) => ({ hit: !!s.hit, text: s.hit ? s.text : tidy(s.text) }));
  if (parts.length && !parts[0].hit) parts[0].text = parts[0].text.replace(/^\s+/, '');
  return html`<p class=${'kb-snippet' + (extra ? ' ' + extra : '')}>
    ${parts.map((p) => (p.hit ? html`<mark>${p.text}</mark>` : p.text))}
  </p>`;
}

/* ---------- badges ---------- */

export function VisibilityBadge({ visibility }) {
  const pub = visibility === 'public';
  return html`<span class=${'badge kb-badge ' + (pub ? 'badge-accent' : 'badge-neutral')}
      title=${t(pub ? 'kb.visibility.public.hint' : 'kb.visibility.internal.hint')}>
    <${Icon} name=${pub ? 'globe' : 'lock'} class="icon kb-badge-icon" />${t(`kb.visibility.${pub ? 'public' : 'internal'}`)}
  </span>`;
}

export function StatusBadge({ status }) {
  const draft = status === 'draft';
  return html`<span class=${'badge ' + (draft ? 'badge-warn' : 'badge-ok')}>${t(`kb.status.${draft ? 'draft' : 'published'}`)}</span>`;
}

export function Tags({ tags }) {
  if (!tags?.length) return null;
  return html`<ul class="kb-tags" aria-label=${t('kb.tags')}>
    ${tags.map((tag) => html`<li class="kb-tag"><${Icon} name="tag" class="icon kb-tag-icon" />${tag}</li>`)}
  </ul>`;
}

/* ---------- line diff ---------- */

/* Longest common subsequence table of a and b, as an edit script of {op, text}. */
function lcsScript(a, b, eq = (x, y) => x === y) {
  const n = a.length;
  const m = b.length;
  if (n * m > 4e6) return [...a.map((text) => ({ op: '-', text })), ...b.map((text) => ({ op: '+', text }))];
  const w = m + 1;
  const len = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      len[i * w + j] = eq(a[i], b[j]) ? len[(i + 1) * w + j + 1] + 1 : Math.max(len[(i + 1) * w + j], len[i * w + j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (eq(a[i], b[j])) {
      out.push({ op: '=', text: a[i] });
      i++;
      j++;
    } else if (len[(i + 1) * w + j] >= len[i * w + j + 1]) out.push({ op: '-', text: a[i++] });
    else out.push({ op: '+', text: b[j++] });
  }
  while (i < n) out.push({ op: '-', text: a[i++] });
  while (j < m) out.push({ op: '+', text: b[j++] });
  return out;
}

/* Line diff of two texts in the server's shape: [{op: '=' | '-' | '+', text}]. */
export function diffLines(before, after) {
  const a = String(before ?? '').replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const b = String(after ?? '').replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const same = (list) => list.map((text) => ({ op: '=', text }));
  return [
    ...same(a.slice(0, head)),
    ...lcsScript(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...same(a.slice(a.length - tail)),
  ];
}

/* Changed words of a replaced line: [{text, changed}] for the old and the new side. */
function wordDiff(oldText, newText) {
  const split = (s) => s.split(/(\s+|[^\p{L}\p{N}_]+)/u).filter((x) => x !== '');
  const a = split(oldText);
  const b = split(newText);
  if (a.length * b.length > 40000) return [[{ text: oldText, changed: true }], [{ text: newText, changed: true }]];
  const script = lcsScript(a, b);
  const left = [];
  const right = [];
  const push = (list, text, changed) => {
    const last = list[list.length - 1];
    if (last && last.changed === changed) last.text += text;
    else list.push({ text, changed });
  };
  for (const s of script) {
    if (s.op !== '+') push(left, s.text, s.op === '-');
    if (s.op !== '-') push(right, s.text, s.op === '+');
  }
  // "account owner" → "head of sales" reads as one change, not three around kept spaces.
  const joinGaps = (list) => {
    const out = [];
    for (let i = 0; i < list.length; i++) {
      const gap = !list[i].changed && /^\s+$/.test(list[i].text) && list[i - 1]?.changed && list[i + 1]?.changed;
      const seg = gap ? { ...list[i], changed: true } : list[i];
      const last = out[out.length - 1];
      if (last && last.changed === seg.changed) last.text += seg.text;
      else out.push({ ...seg });
    }
    return out;
  };
  return [joinGaps(left), joinGaps(right)];
}

const CONTEXT = 3;

/*
 * Rows for display: {kind: 'same' | 'change' | 'gap', old: {no, text, words}?, new: {...}?}.
 * Removed and added runs are paired line by line (side by side reads them as replacements);
 * long unchanged stretches become gaps that the reader can open.
 */
function buildRows(lines) {
  const rows = [];
  let oldNo = 0;
  let newNo = 0;
  for (let i = 0; i < lines.length; ) {
    if (lines[i].op === '=') {
      oldNo++;
      newNo++;
      rows.push({ kind: 'same', old: { no: oldNo, text: lines[i].text }, new: { no: newNo, text: lines[i].text } });
      i++;
      continue;
    }
    const removed = [];
    const added = [];
    while (i < lines.length && lines[i].op === '-') removed.push({ no: ++oldNo, text: lines[i++].text });
    while (i < lines.length && lines[i].op === '+') added.push({ no: ++newNo, text: lines[i++].text });
    while (i < lines.length && lines[i].op === '-') removed.push({ no: ++oldNo, text: lines[i++].text });
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const o = removed[k];
      const n = added[k];
      if (o && n && o.text.trim() && n.text.trim()) [o.words, n.words] = wordDiff(o.text, n.text);
      rows.push({ kind: 'change', old: o || null, new: n || null });
    }
  }
  return rows;
}

/* Rows with unchanged runs longer than the context folded into gap rows (unless opened). */
function foldRows(rows, opened) {
  const out = [];
  for (let i = 0; i < rows.length; ) {
    if (rows[i].kind !== 'same') {
      out.push(rows[i++]);
      continue;
    }
    let j = i;
    while (j < rows.length && rows[j].kind === 'same') j++;
    const keepHead = i === 0 ? 0 : CONTEXT;
    const keepTail = j === rows.length ? 0 : CONTEXT;
    const hidden = j - i - keepHead - keepTail;
    if (hidden > 1 && !opened.has(i)) {
      out.push(...rows.slice(i, i + keepHead));
      out.push({ kind: 'gap', key: i, count: hidden });
      out.push(...rows.slice(j - keepTail, j));
    } else out.push(...rows.slice(i, j));
    i = j;
  }
  return out;
}

function LineText({ side, tag }) {
  if (!side) return null;
  const content = side.words
    ? side.words.map((w) => (w.changed ? html`<span class="kb-diff-word">${w.text}</span>` : w.text))
    : side.text;
  if (tag === 'del') return html`<del>${content}</del>`;
  if (tag === 'ins') return html`<ins>${content}</ins>`;
  return html`<span>${content}</span>`;
}

/*
 * A line diff: mode 'split' (old left, new right) or 'inline' (one column, - then +).
 * Removed lines are <del> on red, added lines <ins> on green; the column labels name both sides.
 */
export function DiffView({ lines, mode = 'split', oldLabel, newLabel }) {
  const [opened, setOpened] = useState(() => new Set());
  const rows = foldRows(buildRows(lines || []), opened);
  const open = (key) => setOpened((s) => new Set([...s, key]));
  const gap = (row, span) => html`<tr class="kb-diff-gap">
    <td colspan=${span}>
      <button type="button" class="kb-diff-expand" onClick=${() => open(row.key)}>
        <${Icon} name="chevron_down" class="icon icon-sm" />${t('kb.diff.unchanged', { count: row.count })}
      </button>
    </td>
  </tr>`;
  const noChanges = !(lines || []).some((l) => l.op !== '=');

  if (mode === 'inline') {
    // Inline shows a change block's removed lines first, then its added lines.
    const flat = [];
    for (let i = 0; i < rows.length; ) {
      if (rows[i].kind !== 'change') {
        flat.push(rows[i++]);
        continue;
      }
      const block = [];
      while (i < rows.length && rows[i].kind === 'change') block.push(rows[i++]);
      for (const r of block) if (r.old) flat.push({ kind: 'del', side: r.old });
      for (const r of block) if (r.new) flat.push({ kind: 'ins', side: r.new });
    }
    return html`<div class="kb-diff-wrap">
      <table class="kb-diff kb-diff-inline">
        <caption class="visually-hidden">${oldLabel} → ${newLabel}</caption>
        <colgroup><col class="kb-diff-col-no" /><col class="kb-diff-col-no" /><col /></colgroup>
        <tbody>
          ${noChanges && html`<tr><td colspan="3" class="kb-diff-none">${t('kb.diff.no_changes')}</td></tr>`}
          ${flat.map((row) => {
            if (row.kind === 'gap') return gap(row, 3);
            if (row.kind === 'same')
              return html`<tr class="kb-diff-same"><td class="kb-diff-no">${row.old.no}</td><td class="kb-diff-no">${row.new.no}</td>
                <td class="kb-diff-text"><span class="kb-diff-sign" aria-hidden="true"> </span><${LineText} side=${row.old} /></td></tr>`;
            const del = row.kind === 'del';
            return html`<tr class=${del ? 'kb-diff-del' : 'kb-diff-ins'}>
              <td class="kb-diff-no">${del ? row.side.no : ''}</td><td class="kb-diff-no">${del ? '' : row.side.no}</td>
              <td class="kb-diff-text"><span class="kb-diff-sign" aria-hidden="true">${del ? '−' : '+'}</span><${LineText} side=${row.side} tag=${row.kind} /></td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  return html`<div class="kb-diff-wrap">
    <table class="kb-diff kb-diff-split">
      <colgroup><col class="kb-diff-col-no" /><col /><col class="kb-diff-col-no" /><col /></colgroup>
      <thead>
        <tr><th colspan="2" scope="col">${oldLabel}</th><th colspan="2" scope="col">${newLabel}</th></tr>
      </thead>
      <tbody>
        ${noChanges && html`<tr><td colspan="4" class="kb-diff-none">${t('kb.diff.no_changes')}</td></tr>`}
        ${rows.map((row) => {
          if (row.kind === 'gap') return gap(row, 4);
          if (row.kind === 'same')
            return html`<tr class="kb-diff-same">
              <td class="kb-diff-no">${row.old.no}</td><td class="kb-diff-text"><${LineText} side=${row.old} /></td>
              <td class="kb-diff-no">${row.new.no}</td><td class="kb-diff-text"><${LineText} side=${row.new} /></td>
            </tr>`;
          return html`<tr class="kb-diff-change">
            <td class=${'kb-diff-no' + (row.old ? ' kb-diff-del' : ' kb-diff-empty')}>${row.old?.no}</td>
            <td class=${'kb-diff-text' + (row.old ? ' kb-diff-del' : ' kb-diff-empty')}><${LineText} side=${row.old} tag="del" /></td>
            <td class=${'kb-diff-no' + (row.new ? ' kb-diff-ins' : ' kb-diff-empty')}>${row.new?.no}</td>
            <td class=${'kb-diff-text' + (row.new ? ' kb-diff-ins' : ' kb-diff-empty')}><${LineText} side=${row.new} tag="ins" /></td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

/* "+3 −1" for a diff's counts. */
export function DiffStats({ added, removed }) {
  return html`<span class="kb-diff-stats">
    <span class="kb-diff-stat-add" title=${t('kb.diff.added', { count: added })}>+${added}</span>
    <span class="kb-diff-stat-del" title=${t('kb.diff.removed', { count: removed })}>−${removed}</span>
    <span class="visually-hidden">${t('kb.diff.added', { count: added })}, ${t('kb.diff.removed', { count: removed })}</span>
  </span>`;
}

/* ---------- page furniture ---------- */

/* Breadcrumbs: items [{href, label}]; the last one may have no href (the page itself). */
export function Crumbs({ items }) {
  return html`<nav class="kb-crumbs" aria-label=${t('kb.crumbs')}>
    <ol>
      ${items.map(
        (item, i) => html`<li>
          ${i > 0 && html`<${Icon} name="chevron_right" class="icon kb-crumb-sep" />`}
          ${item.href ? html`<a href=${item.href}>${item.label}</a>` : html`<span aria-current="page">${item.label}</span>`}
        </li>`,
      )}
    </ol>
  </nav>`;
}

/* Grey bars where text will be, while an article loads. */
export function ProseSkeleton() {
  return html`<div class="kb-skeleton" aria-busy="true" aria-live="polite">
    <span class="visually-hidden">${t('state.loading')}</span>
    <span class="kb-skel kb-skel-title"></span>
    <span class="kb-skel kb-skel-short"></span>
    <span class="kb-skel"></span><span class="kb-skel"></span><span class="kb-skel kb-skel-mid"></span>
    <span class="kb-skel"></span><span class="kb-skel kb-skel-short"></span>
  </div>`;
}

/* "1.2 MB" for a file size. */
export function formatSize(bytes) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let n = Number(bytes) || 0;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u ? n.toFixed(n < 10 ? 1 : 0) : n} ${units[u]}`;
}

/* The article's attachments as download links. */
export function FileList({ files }) {
  if (!files?.length) return null;
  return html`<section class="kb-files" aria-label=${t('kb.files')}>
    <h2 class="kb-section-title">${t('kb.files')}</h2>
    <ul>
      ${files.map(
        (f) => html`<li><a class="kb-file" href=${`/api/v1/files/${f.id}`} download=${f.name}>
          <${Icon} name="paperclip" class="icon" /><span class="kb-file-name">${f.name}</span>
          <span class="kb-file-size">${formatSize(f.size)}</span>
        </a></li>`,
      )}
    </ul>
  </section>`;
}
