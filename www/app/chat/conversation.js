// A conversation on screen: the message list with infinite scroll up, one message with its
// reactions, thread link, edit and delete, the composer (Markdown, mentions, emoji, files),
// the typing line and "seen by".
import { html, useEffect, useLayoutEffect, useRef, useState } from '/shared/preact.js';
import { errorText, t } from '/shared/i18n.js';
import { formatDateTime, formatDate } from '/shared/format.js';
import { ConfirmDialog, toast } from '/shared/forms.js';
import { FIcon, PersonAvatar, RichText, fileUrl, formatSize, isImage, tn } from '/app/feed/common.js';
import { MentionTextarea, uploadFile } from '/app/feed/composer.js';
import {
  deleteMessage, discardPending, editMessage, loadOlder, retryPending, send, setOpenThread, state, toggleReaction,
  typing,
} from '/app/chat/store.js';

export const EMOJI = ['👍', '❤️', '😂', '🎉', '🙏', '👀', '✅', '🔥', '😮', '😢', '👏', '🚀', '💯', '🙂', '🤔', '👌'];

/* A small grid of emoji; pick(emoji) then closes it. */
export function EmojiPicker({ label, onPick, class: cls = '' }) {
  const [open, setOpen] = useState(false);
  const root = useRef(null);
  useEffect(() => {
    if (!open) return undefined;
    const away = (e) => !root.current?.contains(e.target) && setOpen(false);
    const esc = (e) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('pointerdown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);
  return html`<div class=${'chat-emoji ' + cls} ref=${root}>
    <button type="button" class="icon-button chat-emoji-button" aria-label=${label} title=${label}
      aria-expanded=${open ? 'true' : 'false'} onClick=${() => setOpen(!open)}>
      <span aria-hidden="true">🙂</span>
    </button>
    ${open &&
    html`<div class="chat-emoji-panel" role="menu" aria-label=${label}>
      ${EMOJI.map(
        (e) => html`<button type="button" role="menuitem" class="chat-emoji-item" key=${e}
          onClick=${() => {
            setOpen(false);
            onPick(e);
          }}>${e}</button>`,
      )}
    </div>`}
  </div>`;
}

function Files({ files }) {
  if (!files?.length) return null;
  return html`<ul class="chat-files">
    ${files.map(
      (f) => html`<li key=${f.id}>
        ${isImage(f)
          ? html`<a href=${fileUrl(f.id)} target="_blank" rel="noopener"><img class="chat-file-img" src=${fileUrl(f.id)} alt=${f.name} /></a>`
          : html`<a class="chat-file" href=${fileUrl(f.id)} download=${f.name}>
              <${FIcon} name="file" class="icon icon-sm" /><span class="chat-file-name">${f.name}</span>
              <span class="chat-file-size">${formatSize(f.size)}</span></a>`}
      </li>`,
    )}
  </ul>`;
}

function Reactions({ m, me, readOnly }) {
  if (!m.reactions?.length) return null;
  const act = (e) => toggleReaction(m, e).catch((err) => toast(errorText(err), 'error'));
  return html`<div class="chat-reactions">
    ${m.reactions.map((r) => {
      const mine = r.user_ids.includes(me);
      return html`<button type="button" key=${r.emoji} class=${'chat-reaction' + (mine ? ' chat-reaction-mine' : '')}
        aria-pressed=${mine ? 'true' : 'false'} title=${tn('chat.reaction.count', r.count)} disabled=${readOnly}
        onClick=${() => act(r.emoji)}>
        <span>${r.emoji}</span><span class="chat-reaction-n">${r.count}</span>
      </button>`;
    })}
  </div>`;
}

function timeOf(v) {
  const d = new Date(v);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/* One message; grouped = same author as the one above within a few minutes; readOnly (an
 * archived channel): no actions. */
export function Message({ m, me, grouped, inThread, seenBy, readOnly }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const mine = m.author.id === me.id;
  const canDelete = mine || me.role === 'admin';

  async function saveEdit() {
    const text = draft.trim();
    if (!text || text === m.body) return setEditing(false);
    try {
      await editMessage(m, text);
      setEditing(false);
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  const [confirming, setConfirming] = useState(false);
  const hit = !inThread && state.highlight === m.id;
  const self = useRef(null);
  useEffect(() => {
    if (hit) self.current?.scrollIntoView({ block: 'center' });
  }, [hit]);
  const react = (e) => toggleReaction(m, e).catch((err) => toast(errorText(err), 'error'));

  return html`<li ref=${self} class=${'chat-msg' + (grouped ? ' chat-msg-grouped' : '') + (m.deleted ? ' chat-msg-deleted' : '') + (hit ? ' chat-msg-hit' : '')}
      data-id=${m.id} data-client-id=${m.client_id || ''}>
    <div class="chat-msg-side">
      ${grouped ? html`<span class="chat-msg-time-side">${timeOf(m.created_at)}</span>` : html`<${PersonAvatar} person=${m.author} />`}
    </div>
    <div class="chat-msg-main">
      ${!grouped &&
      html`<div class="chat-msg-head">
        <span class="chat-msg-author">${m.author.name}</span>
        <time class="chat-msg-time" datetime=${m.created_at} title=${formatDateTime(m.created_at)}>${timeOf(m.created_at)}</time>
      </div>`}
      ${m.deleted
        ? html`<p class="chat-msg-gone">${t('chat.message.deleted')}</p>`
        : editing
          ? html`<div class="chat-edit">
              <${MentionTextarea} value=${draft} onValue=${setDraft} class="input textarea chat-edit-input"
                aria-label=${t('chat.message.edit')}
                onKeyDown=${(e) => {
                  if (e.key === 'Enter' && !e.shiftKey) {
                    e.preventDefault();
                    saveEdit();
                  } else if (e.key === 'Escape') setEditing(false);
                }} />
              <div class="chat-edit-actions">
                <button type="button" class="button button-sm" onClick=${saveEdit}>${t('action.save')}</button>
                <button type="button" class="button button-sm button-ghost" onClick=${() => setEditing(false)}>${t('action.cancel')}</button>
              </div>
            </div>`
          : html`<${RichText} html=${m.html} class="feed-rich chat-msg-body" />
              ${m.edited && html`<span class="chat-msg-edited" title=${formatDateTime(m.edited_at)}>${t('chat.message.edited')}</span>`}
              <${Files} files=${m.files} />`}
      <${Reactions} m=${m} me=${me.id} readOnly=${readOnly} />
      ${!inThread && m.reply_count > 0 &&
      html`<button type="button" class="chat-thread-link" onClick=${() => setOpenThread(m.id)}>
        ${tn('chat.thread.replies', m.reply_count)}
      </button>`}
      ${seenBy && html`<div class="chat-seen">${seenBy}</div>`}
    </div>
    ${!m.deleted && !editing && !readOnly &&
    html`<div class="chat-msg-actions">
      <${EmojiPicker} label=${t('chat.reaction.add')} onPick=${react} />
      ${!inThread &&
      html`<button type="button" class="icon-button" title=${t('chat.thread.reply')} aria-label=${t('chat.thread.reply')}
        onClick=${() => setOpenThread(m.id)}><${FIcon} name="reply" /></button>`}
      ${mine &&
      html`<button type="button" class="icon-button" title=${t('chat.message.edit')} aria-label=${t('chat.message.edit')}
        onClick=${() => {
          setDraft(m.body);
          setEditing(true);
        }}><${FIcon} name="edit" /></button>`}
      ${canDelete &&
      html`<button type="button" class="icon-button" title=${t('chat.message.delete')} aria-label=${t('chat.message.delete')}
        onClick=${() => setConfirming(true)}><${FIcon} name="trash" /></button>`}
    </div>`}
    ${confirming &&
    html`<${ConfirmDialog} title=${t('chat.message.delete')} body=${t('chat.message.delete_confirm')} danger
      confirmLabel=${t('chat.message.delete')} onConfirm=${() => deleteMessage(m)} onClose=${() => setConfirming(false)} />`}
  </li>`;
}

/* A message of mine the server has not acknowledged yet. */
function PendingMessage({ p, me }) {
  return html`<li class=${'chat-msg chat-msg-pending chat-msg-' + p.status} data-client-id=${p.client_id}>
    <div class="chat-msg-side"><${PersonAvatar} person=${me} /></div>
    <div class="chat-msg-main">
      <div class="chat-msg-head"><span class="chat-msg-author">${me.name}</span>
        <span class="chat-msg-time">${p.status === 'failed' ? t('chat.pending.failed') : p.status === 'queued' ? t('chat.pending.queued') : t('chat.pending.sending')}</span></div>
      <p class="chat-msg-plain">${p.body}</p>
      ${p.fileInfo?.length > 0 && html`<p class="chat-msg-plain">${p.fileInfo.map((f) => f.name).join(', ')}</p>`}
      ${p.status === 'failed' &&
      html`<div class="chat-pending-actions">
        <span class="chat-pending-error">${errorText(p.error)}</span>
        <button type="button" class="button button-sm button-secondary" onClick=${() => retryPending(p)}>${t('action.retry')}</button>
        <button type="button" class="button button-sm button-ghost" onClick=${() => discardPending(p)}>${t('chat.pending.discard')}</button>
      </div>`}
    </div>
  </li>`;
}

const GROUP_MS = 5 * 60 * 1000;

function dayOf(v) {
  return new Date(v).toDateString();
}

/* Who has seen message m of mine, in a direct or group conversation. */
function seenText(m, details, me) {
  if (!details || (details.kind !== 'direct' && details.kind !== 'group')) return null;
  const others = details.members.filter((x) => x.id !== me.id && x.last_read_id >= m.id);
  if (!others.length) return null;
  if (details.kind === 'direct') return t('chat.seen');
  return t('chat.seen_by', { names: others.map((x) => x.name.split(' ')[0]).join(', ') });
}

/*
 * The messages of a channel, oldest at the top; scrolling near the top loads the page
 * before, keeping the view where it was; new messages keep the view at the bottom when
 * it was there.
 */
export function MessageList({ channelId, items, hasOlder, loading, me, details, pending, readOnly }) {
  const box = useRef(null);
  const atBottom = useRef(true);
  const keep = useRef(null); // scrollHeight before older messages were added on top

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (keep.current !== null) {
      el.scrollTop += el.scrollHeight - keep.current;
      keep.current = null;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  });
  useEffect(() => {
    atBottom.current = true;
  }, [channelId]);

  async function onScroll() {
    const el = box.current;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 120 && hasOlder && !loading) {
      keep.current = el.scrollHeight;
      const n = await loadOlder(channelId).catch(() => 0);
      if (!n) keep.current = null;
    }
  }

  // my last message someone has seen carries the "seen" note
  let seenId = null;
  let seenNote = null;
  for (let i = items.length - 1; i >= 0 && seenId === null; i--) {
    if (items[i].author.id !== me.id) continue;
    const s = seenText(items[i], details, me);
    if (s) [seenId, seenNote] = [items[i].id, s];
  }

  let prev = null;
  return html`<div class="chat-scroll" ref=${box} onScroll=${onScroll} role="log" aria-live="polite"
      aria-label=${t('chat.messages')}>
    ${loading && html`<div class="chat-loading"><span class="spinner" aria-hidden="true"></span>${t('state.loading')}</div>`}
    ${!hasOlder && !loading && html`<p class="chat-start">${t('chat.history_start')}</p>`}
    <ul class="chat-msgs">
      ${items.map((m) => {
        const newDay = !prev || dayOf(prev.created_at) !== dayOf(m.created_at);
        const grouped = !newDay && prev && prev.author.id === m.author.id && !prev.deleted &&
          new Date(m.created_at) - new Date(prev.created_at) < GROUP_MS;
        prev = m;
        return html`${newDay && html`<li class="chat-day" key=${'d' + m.id}><span>${formatDate(m.created_at)}</span></li>`}
          <${Message} key=${m.id} m=${m} me=${me} grouped=${grouped} seenBy=${m.id === seenId ? seenNote : null}
            readOnly=${readOnly} />`;
      })}
      ${pending.map((p) => html`<${PendingMessage} key=${p.client_id} p=${p} me=${me} />`)}
    </ul>
  </div>`;
}

/* "Vera is typing…" for the channel. */
export function TypingLine({ channelId }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(id);
  }, []);
  const now = Date.now();
  const list = (state.typing.get(channelId) || []).filter((x) => !x.until || x.until > now);
  const names = list.map((x) => x.name.split(' ')[0]);
  return html`<div class="chat-typing" aria-live="polite">
    ${names.length === 1 && t('chat.typing.one', { name: names[0] })}
    ${names.length > 1 && t('chat.typing.many', { names: names.join(', ') })}
  </div>`;
}

let fileKey = 0;

/*
 * The composer: Enter sends, Shift+Enter starts a new line; Markdown; @mentions suggested;
 * emoji; files upload at once and go with the message. disabled (an archived channel):
 * shown, but nothing can be written.
 */
export function Composer({ channelId, parentId = null, placeholder, label, disabled = false }) {
  const [text, setText] = useState('');
  const [files, setFiles] = useState([]); // { key, name, progress, id?, error? }
  const ref = useRef(null);
  const picker = useRef(null);
  const max = 10000;

  useEffect(() => {
    setText('');
    setFiles([]);
  }, [channelId, parentId]);

  function addFiles(list) {
    for (const file of list) {
      const key = ++fileKey;
      setFiles((all) => [...all, { key, name: file.name, size: file.size, type: file.type, progress: 0 }]);
      const up = uploadFile(file, (progress) => setFiles((all) => all.map((f) => (f.key === key ? { ...f, progress } : f))));
      up.promise
        .then((answer) => setFiles((all) => all.map((f) => (f.key === key ? { ...f, ...answer, key, progress: 1 } : f))))
        .catch((err) => setFiles((all) => all.map((f) => (f.key === key ? { ...f, error: err } : f))));
    }
  }

  const uploading = files.some((f) => !f.id && !f.error);
  function submit() {
    const body = text.trim();
    const ready = files.filter((f) => f.id);
    if ((!body && !ready.length) || uploading || disabled) return;
    if ([...body].length > max) return toast(t('chat.composer.too_long', { max }), 'error');
    send(channelId, body, { files: ready, parentId });
    setText('');
    setFiles([]);
    ref.current?.focus();
  }

  function insert(s) {
    const el = ref.current;
    const at = el ? el.selectionStart : text.length;
    const next = text.slice(0, at) + s + text.slice(el ? el.selectionEnd : at);
    setText(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + s.length, at + s.length);
    });
  }

  return html`<form class="chat-composer" onSubmit=${(e) => {
      e.preventDefault();
      submit();
    }}
    onDragOver=${(e) => e.preventDefault()}
    onDrop=${(e) => {
      e.preventDefault();
      if (e.dataTransfer?.files?.length) addFiles([...e.dataTransfer.files]);
    }}>
    ${files.length > 0 &&
    html`<ul class="chat-uploads">
      ${files.map(
        (f) => html`<li key=${f.key} class=${'chat-upload' + (f.error ? ' chat-upload-bad' : '')}>
          <span class="chat-upload-name">${f.name}</span>
          <span class="chat-upload-state">${f.error ? errorText(f.error) : f.id ? formatSize(f.size) : `${Math.round(f.progress * 100)}%`}</span>
          <button type="button" class="icon-button" aria-label=${t('chat.composer.remove_file', { name: f.name })}
            onClick=${() => setFiles((all) => all.filter((x) => x.key !== f.key))}><${FIcon} name="close" class="icon icon-sm" /></button>
        </li>`,
      )}
    </ul>`}
    <div class="chat-composer-row">
      <label class=${'icon-button chat-attach' + (disabled ? ' chat-attach-off' : '')} title=${t('chat.composer.attach')}>
        <${FIcon} name="clip" />
        <span class="visually-hidden">${t('chat.composer.attach')}</span>
        <input type="file" multiple class="visually-hidden" ref=${picker} disabled=${disabled}
          onChange=${(e) => {
            addFiles([...e.target.files]);
            e.target.value = '';
          }} />
      </label>
      <${MentionTextarea} textareaRef=${ref} value=${text} rows="1" disabled=${disabled}
        onValue=${(v) => {
          setText(v);
          if (v) typing(channelId);
        }}
        class="input textarea chat-input" placeholder=${disabled ? t('chat.composer.archived') : placeholder} aria-label=${label}
        onKeyDown=${(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }} />
      ${!disabled && html`<${EmojiPicker} label=${t('chat.composer.emoji')} onPick=${insert} class="chat-emoji-up" />`}
      <button type="submit" class="button chat-send" disabled=${uploading || disabled} aria-label=${t('chat.composer.send')} title=${t('chat.composer.send')}>
        <${FIcon} name="send" />
      </button>
    </div>
    ${!disabled && html`<p class="chat-hint">${t('chat.composer.hint')}</p>`}
  </form>`;
}
