// The chat page (/app/chat[/{id}]): channel list with unread badges and search (archived
// channels under a toggle), the open conversation, the thread pane, dialogs to start a
// channel or a conversation, to browse public channels and for a channel's settings
// (rename, topic, archive, owners, leave), and the banner shown while the server is out
// of reach.
import { html, useEffect, useRef, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { errorText, t } from '/shared/i18n.js';
import { navigate } from '/shared/router.js';
import { useSession } from '/shared/session.js';
import { Alert, Button, Dialog, SelectField, TextField, toast, useId } from '/shared/forms.js';
import { useDebounced } from '/shared/kb.js';
import { Icon } from '/shared/ui.js';
import { FIcon, PersonAvatar, tn } from '/app/feed/common.js';
import { Composer, Message, MessageList, TypingLine } from '/app/chat/conversation.js';
import {
  addMember, channelById, closeChannel, createChannel, joinChannel, leaveChannel, loadChannels, openChannel, openDirect,
  reconnectNow, reveal, setMemberRole, setOpenThread, start, state, stop, updateChannel, useChat,
} from '/app/chat/store.js';

export const chatPath = (id) => `/app/chat/${id}`;

/* A channel's title: "# name" for channels, the other people's names for conversations. */
export function channelTitle(c, me) {
  if (!c) return '';
  if (c.name) return c.name;
  const others = (c.members || []).filter((m) => m.id !== me.id);
  return others.map((m) => m.name).join(', ') || me.name;
}

function presenceText(status) {
  if (status === 'online') return t('chat.presence.online');
  if (status === 'away') return t('chat.presence.away');
  return t('chat.presence.offline');
}

function PresenceDot({ userId }) {
  const status = state.presence.get(userId) || 'offline';
  return html`<span class=${'chat-presence chat-presence-' + status} title=${presenceText(status)}>
    <span class="visually-hidden">${presenceText(status)}</span></span>`;
}

function ChannelIcon({ c, me }) {
  if (c.kind === 'direct') {
    const other = (c.members || []).find((m) => m.id !== me.id) || me;
    return html`<span class="chat-ch-avatar"><${PersonAvatar} person=${other} size="sm" /><${PresenceDot} userId=${other.id} /></span>`;
  }
  if (c.kind === 'group') return html`<span class="chat-ch-icon"><${FIcon} name="users" class="icon icon-sm" /></span>`;
  return html`<span class="chat-ch-icon" aria-hidden="true">${c.kind === 'private' ? '🔒' : '#'}</span>`;
}

function ChannelList({ me, activeId, onNew }) {
  const channels = state.channels;
  const [showArchived, setShowArchived] = useState(false);
  const links = (list, cls = 'chat-channels') => html`<ul class=${cls}>
    ${list.map(
      (c) => html`<li key=${c.id}>
        <a href=${chatPath(c.id)} class=${'chat-ch' + (c.id === activeId ? ' chat-ch-active' : '') + (c.unread && !c.archived ? ' chat-ch-unread' : '')}
          aria-current=${c.id === activeId ? 'page' : undefined}>
          <${ChannelIcon} c=${c} me=${me} />
          <span class="chat-ch-name">${channelTitle(c, me)}</span>
          ${c.unread > 0 && !c.archived && html`<span class="chat-badge" aria-label=${tn('chat.unread', c.unread)}>${c.unread > 99 ? '99+' : c.unread}</span>`}
        </a>
      </li>`,
    )}
  </ul>`;
  const section = (title, list, action) => html`<section class="chat-section">
    <div class="chat-section-head"><h2 class="chat-section-title">${title}</h2>${action}</div>
    ${links(list)}
  </section>`;
  const named = channels.filter((c) => c.name).sort((a, b) => a.name.localeCompare(b.name));
  const rooms = named.filter((c) => !c.archived);
  const archived = named.filter((c) => c.archived);
  const talks = channels.filter((c) => !c.name).sort((a, b) => b.last_message_id - a.last_message_id);
  const archivedOpen = showArchived || archived.some((c) => c.id === activeId);
  return html`<div class="chat-list">
    ${section(t('chat.channels'), rooms, html`<button type="button" class="icon-button" title=${t('chat.new_channel')}
      aria-label=${t('chat.new_channel')} onClick=${() => onNew('channel')}>+</button>`)}
    <button type="button" class="chat-browse-link" onClick=${() => onNew('browse')}>${t('chat.browse')}</button>
    ${archived.length > 0 &&
    html`<button type="button" class="chat-archived-toggle" aria-expanded=${archivedOpen ? 'true' : 'false'}
        onClick=${() => setShowArchived(!archivedOpen)}>
        <${Icon} name=${archivedOpen ? 'chevron_down' : 'chevron_right'} class="icon icon-sm" />
        ${t('chat.archived.list', { n: archived.length })}
      </button>
      ${archivedOpen && links(archived, 'chat-channels chat-channels-archived')}`}
    ${section(t('chat.direct'), talks, html`<button type="button" class="icon-button" title=${t('chat.new_direct')}
      aria-label=${t('chat.new_direct')} onClick=${() => onNew('direct')}>+</button>`)}
  </div>`;
}

/* ---------- search ---------- */

function SearchResults({ q, me }) {
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    setFound(null);
    setError(null);
    api
      .get('/chat/search', { query: { q } })
      .then((a) => live && setFound(a.items))
      .catch((err) => live && setError(err));
    return () => (live = false);
  }, [q]);
  if (error) return html`<${Alert} kind="error">${errorText(error)}<//>`;
  if (!found) return html`<div class="chat-loading"><span class="spinner" aria-hidden="true"></span>${t('state.loading')}</div>`;
  if (!found.length) return html`<p class="chat-empty-note">${t('chat.search.none')}</p>`;
  return html`<ul class="chat-results">
    ${found.map(
      (m) => html`<li key=${m.id}>
        <a class="chat-result" href=${`${chatPath(m.channel.id)}?m=${m.parent_id || m.id}${m.parent_id ? `&thread=${m.parent_id}` : ''}`}>
          <span class="chat-result-where">${m.channel.name ? '# ' + m.channel.name : t('chat.direct_short')} · ${m.author.name}</span>
          <span class="chat-result-text">${highlight(m.snippet, q)}</span>
        </a>
      </li>`,
    )}
  </ul>`;
}

/* The snippet with the words of q marked, built as text nodes (never markup). */
function highlight(text, q) {
  const words = q.split(/\s+/).filter((w) => w.length >= 3).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!words.length) return text;
  const re = new RegExp(`(${words.join('|')})`, 'giu');
  return text.split(re).map((part, i) => (i % 2 ? html`<mark>${part}</mark>` : part));
}

/* ---------- dialogs ---------- */

function PeoplePicker({ me, chosen, setChosen, label }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState([]);
  const dq = useDebounced(q, 150);
  const id = useId('people');
  useEffect(() => {
    if (!dq.trim()) return setFound([]);
    let live = true;
    api.get('/people', { query: { q: dq } }).then((a) => live && setFound((a.users || []).filter((u) => u.id !== me.id))).catch(() => {});
    return () => (live = false);
  }, [dq]);
  return html`<div class="chat-picker">
    <${TextField} id=${id} label=${label} value=${q} onValue=${setQ} autocomplete="off" />
    ${chosen.length > 0 &&
    html`<ul class="chat-chosen">${chosen.map(
      (u) => html`<li key=${u.id}><span>${u.name}</span>
        <button type="button" class="icon-button" aria-label=${t('chat.people.remove', { name: u.name })}
          onClick=${() => setChosen(chosen.filter((x) => x.id !== u.id))}><${FIcon} name="close" class="icon icon-sm" /></button></li>`,
    )}</ul>`}
    <ul class="chat-found">
      ${found.filter((u) => !chosen.some((x) => x.id === u.id)).map(
        (u) => html`<li key=${u.id}><button type="button" class="chat-found-item" onClick=${() => {
          setChosen([...chosen, u]);
          setQ('');
        }}><${PersonAvatar} person=${u} size="sm" /><span>${u.name}</span><span class="chat-found-handle">@${u.handle}</span></button></li>`,
      )}
    </ul>
  </div>`;
}

function NewChannelDialog({ me, onClose }) {
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [priv, setPriv] = useState(false);
  const [people, setPeople] = useState([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const ids = { name: useId('f'), topic: useId('f'), priv: useId('f') };
  async function submit(e) {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const c = await createChannel({ name: name.trim(), topic: topic.trim(), private: priv, members: people.map((p) => p.id) });
      onClose();
      navigate(chatPath(c.id));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  return html`<${Dialog} title=${t('chat.new_channel')} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose}>${t('action.cancel')}<//>
      <${Button} busy=${busy} onClick=${submit}>${t('chat.create')}<//>`}>
    <form onSubmit=${submit} class="chat-form">
      <${TextField} id=${ids.name} label=${t('chat.field.name')} value=${name} onValue=${setName} maxlength="80"
        error=${error?.field === 'name' ? errorText(error) : null} />
      <${TextField} id=${ids.topic} label=${t('chat.field.topic')} value=${topic} onValue=${setTopic} maxlength="250" />
      <label class="chat-check" for=${ids.priv}>
        <input id=${ids.priv} type="checkbox" checked=${priv} onChange=${(e) => setPriv(e.currentTarget.checked)} />
        ${t('chat.field.private')}
      </label>
      <${PeoplePicker} me=${me} chosen=${people} setChosen=${setPeople} label=${t('chat.field.members')} />
      ${error && error.field !== 'name' && html`<${Alert} kind="error">${errorText(error)}<//>`}
    </form>
  <//>`;
}

function NewDirectDialog({ me, onClose }) {
  const [people, setPeople] = useState([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function submit() {
    setBusy(true);
    try {
      const c = await openDirect(people.map((p) => p.id));
      onClose();
      navigate(chatPath(c.id));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  return html`<${Dialog} title=${t('chat.new_direct')} onClose=${onClose}
    footer=${html`<${Button} kind="secondary" onClick=${onClose}>${t('action.cancel')}<//>
      <${Button} busy=${busy} disabled=${!people.length} onClick=${submit}>${t('chat.start')}<//>`}>
    <p class="dialog-text">${t('chat.direct_lead')}</p>
    <${PeoplePicker} me=${me} chosen=${people} setChosen=${(l) => setPeople(l.slice(0, 7))} label=${t('chat.field.people')} />
    ${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
  <//>`;
}

function BrowseDialog({ onClose }) {
  const [q, setQ] = useState('');
  const [list, setList] = useState(null);
  const [withArchived, setWithArchived] = useState(false);
  const dq = useDebounced(q, 150);
  const id = useId('f');
  const archivedId = useId('f');
  useEffect(() => {
    let live = true;
    api.get('/chat/channels/browse', { query: { q: dq || undefined, archived: withArchived ? 1 : undefined } })
      .then((a) => live && setList(a.items))
      .catch(() => live && setList([]));
    return () => (live = false);
  }, [dq, withArchived]);
  async function join(c) {
    try {
      if (!c.member) await joinChannel(c.id);
      onClose();
      navigate(chatPath(c.id));
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  return html`<${Dialog} title=${t('chat.browse')} onClose=${onClose}>
    <${TextField} id=${id} label=${t('chat.browse_find')} value=${q} onValue=${setQ} autocomplete="off" />
    <label class="chat-check" for=${archivedId}>
      <input id=${archivedId} type="checkbox" checked=${withArchived} onChange=${(e) => setWithArchived(e.currentTarget.checked)} />
      ${t('chat.browse_archived')}
    </label>
    ${list === null && html`<div class="chat-loading"><span class="spinner" aria-hidden="true"></span></div>`}
    ${list && !list.length && html`<p class="chat-empty-note">${t('chat.browse_none')}</p>`}
    <ul class="chat-browse">
      ${(list || []).map(
        (c) => html`<li key=${c.id} class="chat-browse-item">
          <div><div class="chat-browse-name"># ${c.name}${c.archived && html` <span class="chat-tag">${t('chat.archived.tag')}</span>`}</div>
            <div class="chat-browse-meta">${tn('chat.members_count', c.member_count)}${c.topic ? ' · ' + c.topic : ''}</div></div>
          ${(c.member || !c.archived) &&
          html`<${Button} size="sm" kind=${c.member ? 'secondary' : 'primary'} onClick=${() => join(c)}>
            ${c.member ? t('chat.open') : t('chat.join')}<//>`}
        </li>`,
      )}
    </ul>
  <//>`;
}

/* ---------- the conversation and the thread ---------- */

function Conversation({ id, me }) {
  const c = channelById(id);
  const h = state.history.get(id);
  const details = state.details.get(id);
  const pending = state.pending.filter((p) => p.channel_id === id && !p.parent_id);
  const [menu, setMenu] = useState(false);
  const [settings, setSettings] = useState(false);
  if (!c) return html`<div class="chat-conv chat-conv-empty"><p>${state.channelsLoaded ? t('chat.not_found') : t('state.loading')}</p></div>`;
  const title = channelTitle(c, me);
  const other = c.kind === 'direct' ? (c.members || []).find((m) => m.id !== me.id) : null;
  return html`<section class="chat-conv" aria-label=${title}>
    <header class="chat-conv-head">
      <a class="icon-button chat-back" href="/app/chat" aria-label=${t('chat.back')}><${FIcon} name="arrow_left" /></a>
      <div class="chat-conv-title">
        <h1 class="chat-conv-name" tabindex="-1">${c.name ? (c.kind === 'private' ? '🔒 ' : '# ') + c.name : title}</h1>
        <div class="chat-conv-sub">
          ${c.archived && html`<span class="chat-tag">${t('chat.archived.tag')}</span> `}
          ${other
            ? html`<${PresenceDot} userId=${other.id} /> ${presenceText(state.presence.get(other.id))}`
            : c.name ? c.topic : tn('chat.members_count', c.member_count)}
        </div>
      </div>
      ${c.name &&
      html`<div class="chat-conv-menu">
        <button type="button" class="button button-sm button-ghost" onClick=${() => setMenu(!menu)} aria-expanded=${menu ? 'true' : 'false'}>
          ${tn('chat.members_count', c.member_count)}</button>
        ${menu && html`<${MembersPanel} c=${c} details=${details} me=${me} />`}
      </div>
      <button type="button" class="icon-button" aria-label=${t('chat.settings.open')} title=${t('chat.settings.open')}
        onClick=${() => setSettings(true)}><${FIcon} name="more" bold /></button>`}
    </header>
    <${MessageList} channelId=${id} items=${h?.items || []} hasOlder=${h?.hasOlder ?? true} loading=${!h?.loaded || h?.loading}
      me=${me} details=${details} pending=${pending} readOnly=${c.archived} />
    <${TypingLine} channelId=${id} />
    <${Banner} />
    ${c.archived && html`<${ArchivedBanner} c=${c} canManage=${canManage(details, me)} />`}
    <${Composer} channelId=${id} label=${t('chat.composer.label', { name: title })} disabled=${c.archived}
      placeholder=${t('chat.composer.placeholder', { name: c.name ? '#' + c.name : title })} />
    ${settings && html`<${ChannelSettings} c=${c} details=${details} me=${me} onClose=${() => setSettings(false)} />`}
  </section>`;
}

/* The channel's owner or an admin changes its settings (the server checks again). */
function canManage(details, me) {
  return details?.role === 'owner' || me.role === 'admin';
}

/* Above the (disabled) composer of an archived channel; its owner can bring it back. */
function ArchivedBanner({ c, canManage: may }) {
  const [busy, setBusy] = useState(false);
  async function unarchive() {
    setBusy(true);
    try {
      await updateChannel(c.id, { archived: false });
      toast(t('chat.archived.back'));
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="chat-archived" role="status">
    <${Icon} name="archive" class="icon icon-sm" />
    <span class="chat-archived-text">${t('chat.archived.banner')}</span>
    ${may && html`<${Button} size="sm" kind="secondary" busy=${busy} onClick=${unarchive}>${t('chat.settings.unarchive')}<//>`}
  </div>`;
}

/* A channel's settings: name and topic, archive or unarchive (owner or admin), leave
 * (the last owner names who takes over first). */
function ChannelSettings({ c, details, me, onClose }) {
  const may = canManage(details, me);
  const [name, setName] = useState(c.name);
  const [topic, setTopic] = useState(c.topic || '');
  const [heir, setHeir] = useState('');
  const [busy, setBusy] = useState(null); // 'save' | 'archive' | 'leave'
  const [error, setError] = useState(null);
  const ids = { name: useId('f'), topic: useId('f'), heir: useId('f') };
  const members = details?.members || [];
  const others = members.filter((m) => m.id !== me.id);
  const lastOwner = details?.role === 'owner' && others.length > 0 && !others.some((m) => m.role === 'owner');
  const locked = !may || c.archived;

  async function run(what, fn) {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }
  const save = (e) => {
    e?.preventDefault();
    if (locked) return;
    run('save', async () => {
      await updateChannel(c.id, { name: name.trim(), topic: topic.trim() });
      toast(t('chat.settings.saved'));
      onClose();
    });
  };
  const archive = () =>
    run('archive', async () => {
      await updateChannel(c.id, { archived: !c.archived });
      toast(t(c.archived ? 'chat.archived.back' : 'chat.archived.done'));
      onClose();
    });
  const leave = () =>
    run('leave', async () => {
      if (lastOwner) await setMemberRole(c.id, Number(heir), 'owner');
      await leaveChannel(c.id);
      onClose();
      navigate('/app/chat');
    });

  return html`<${Dialog} title=${t('chat.settings.title')} onClose=${onClose}>
    <form onSubmit=${save} class="chat-form">
      <${TextField} id=${ids.name} label=${t('chat.field.name')} value=${name} onValue=${setName} maxlength="80"
        disabled=${locked} error=${error?.field === 'name' ? errorText(error) : null} />
      <${TextField} id=${ids.topic} label=${t('chat.field.topic')} value=${topic} onValue=${setTopic} maxlength="250"
        disabled=${locked} />
      ${!locked && html`<div class="chat-settings-actions"><${Button} type="submit" busy=${busy === 'save'}>${t('action.save')}<//></div>`}
      ${!may && html`<p class="chat-settings-note">${t('chat.settings.owner_only')}</p>`}
    </form>
    ${may &&
    html`<section class="chat-settings-part">
      <h3 class="chat-settings-head">${t(c.archived ? 'chat.settings.unarchive' : 'chat.settings.archive')}</h3>
      <p class="chat-settings-note">${t(c.archived ? 'chat.settings.unarchive_lead' : 'chat.settings.archive_lead')}</p>
      <${Button} kind=${c.archived ? 'secondary' : 'danger'} busy=${busy === 'archive'} onClick=${archive}>
        ${t(c.archived ? 'chat.settings.unarchive' : 'chat.settings.archive')}<//>
    </section>`}
    ${details?.role &&
    html`<section class="chat-settings-part">
      <h3 class="chat-settings-head">${t('chat.leave')}</h3>
      <p class="chat-settings-note">${t(lastOwner ? 'chat.settings.heir_lead' : 'chat.settings.leave_lead')}</p>
      ${lastOwner &&
      html`<${SelectField} id=${ids.heir} label=${t('chat.settings.heir')} value=${heir} onValue=${setHeir}
        options=${[{ value: '', label: t('chat.settings.heir_pick') }, ...others.map((m) => ({ value: String(m.id), label: m.name }))]} />`}
      <${Button} kind="secondary" busy=${busy === 'leave'} disabled=${lastOwner && !heir} onClick=${leave}>${t('chat.leave')}<//>
    </section>`}
    ${error && error.field !== 'name' && html`<${Alert} kind="error">${errorText(error)}<//>`}
  <//>`;
}

function MembersPanel({ c, details, me }) {
  const [adding, setAdding] = useState([]);
  async function add(list) {
    setAdding([]);
    for (const u of list) {
      try {
        await addMember(c.id, u.id);
      } catch (err) {
        toast(errorText(err), 'error');
      }
    }
  }
  const may = canManage(details, me) && !c.archived;
  const promote = (m) => setMemberRole(c.id, m.id, 'owner').catch((err) => toast(errorText(err), 'error'));
  return html`<div class="chat-members-panel">
    <ul class="chat-members">
      ${(details?.members || []).map(
        (m) => html`<li key=${m.id}><${PersonAvatar} person=${m} size="sm" /><span class="chat-member-name">${m.name}</span>
          ${m.role === 'owner' && html`<span class="chat-tag">${t('chat.owner')}</span>`}
          ${may && m.role !== 'owner' &&
          html`<button type="button" class="button button-sm button-ghost" onClick=${() => promote(m)}>${t('chat.make_owner')}</button>`}
          <${PresenceDot} userId=${m.id} /></li>`,
      )}
    </ul>
    ${!c.archived && html`<${PeoplePicker} me=${me} chosen=${adding} setChosen=${add} label=${t('chat.add_member')} />`}
  </div>`;
}

function ThreadPane({ rootId, me }) {
  const th = state.threads.get(rootId);
  const pending = state.pending.filter((p) => p.parent_id === rootId);
  const archived = Boolean(th && channelById(th.root.channel_id)?.archived);
  return html`<aside class="chat-thread" aria-label=${t('chat.thread.title')}>
    <header class="chat-thread-head">
      <h2 class="chat-thread-title">${t('chat.thread.title')}</h2>
      <button type="button" class="icon-button" aria-label=${t('action.close')} onClick=${() => setOpenThread(null)}>
        <${FIcon} name="close" /></button>
    </header>
    ${!th
      ? html`<div class="chat-loading"><span class="spinner" aria-hidden="true"></span>${t('state.loading')}</div>`
      : html`<div class="chat-thread-scroll">
          <ul class="chat-msgs"><${Message} m=${th.root} me=${me} inThread readOnly=${archived} /></ul>
          <p class="chat-thread-count">${tn('chat.thread.replies', th.items.length)}</p>
          <ul class="chat-msgs">
            ${th.items.map((m) => html`<${Message} key=${m.id} m=${m} me=${me} inThread readOnly=${archived} />`)}
            ${pending.map((p) => html`<li key=${p.client_id} class="chat-msg chat-msg-pending"><div class="chat-msg-side"></div>
              <div class="chat-msg-main"><p class="chat-msg-plain">${p.body}</p></div></li>`)}
          </ul>
        </div>
        <${Composer} channelId=${th.root.channel_id} parentId=${rootId} label=${t('chat.thread.reply')}
          placeholder=${t('chat.thread.placeholder')} disabled=${archived} />`}
  </aside>`;
}

/* What the shell's connection banner does not say: messages waiting to be sent, or an
 * HTTP link that fails while the websocket still stands. */
function Banner() {
  const queued = state.pending.filter((p) => p.status === 'queued').length;
  if (!queued && !(state.conn === 'offline' && state.live)) return null;
  return html`<div class="chat-banner" role="status">
    <span class="spinner" aria-hidden="true"></span>
    <span>${queued ? tn('chat.offline_queued', queued) : t('chat.offline')}</span>
    <button type="button" class="button button-sm button-secondary" onClick=${reconnectNow}>${t('action.retry')}</button>
  </div>`;
}

/* ---------- the page ---------- */

export function ChatPage({ path }) {
  const session = useSession();
  const me = session.user;
  useChat();
  const [dialog, setDialog] = useState(null);
  const [q, setQ] = useState('');
  const dq = useDebounced(q.trim(), 250);
  const searchId = useId('search');
  const m = /^\/app\/chat\/(\d+)/.exec(path);
  const id = m ? Number(m[1]) : null;
  const query = new URLSearchParams(location.search);
  const threadQ = Number(query.get('thread')) || null;
  const jumpQ = Number(query.get('m')) || null;
  const wide = useRef(window.matchMedia('(min-width: 901px)'));

  useEffect(() => {
    start(me);
    loadChannels().catch((err) => toast(errorText(err), 'error'));
    return () => {
      closeChannel();
      stop();
    };
  }, []);

  useEffect(() => {
    if (id) {
      openChannel(id)
        .then(() => jumpQ && reveal(id, jumpQ))
        .catch(() => {});
      setOpenThread(threadQ);
    } else {
      closeChannel();
      // a desktop opens the first channel rather than an empty pane
      const first = state.channels.find((c) => !c.archived);
      if (wide.current.matches && first) navigate(chatPath(first.id), { replace: true });
    }
  }, [id, threadQ, jumpQ, state.channelsLoaded]);

  const thread = state.openThread;
  return html`<div class=${'chat-page' + (id ? ' chat-page-open' : '') + (thread ? ' chat-page-thread' : '')}>
    <div class="chat-layout">
      <nav class="chat-side" aria-label=${t('chat.channels')}>
        <div class="chat-side-head">
          <h1 class="chat-side-title" tabindex="-1">${t('app.nav.chat')}</h1>
        </div>
        <div class="chat-search">
          <label for=${searchId} class="visually-hidden">${t('chat.search.label')}</label>
          <input id=${searchId} type="search" class="input" placeholder=${t('chat.search.placeholder')} value=${q}
            onInput=${(e) => setQ(e.currentTarget.value)} />
        </div>
        ${dq.length >= 3 ? html`<${SearchResults} q=${dq} me=${me} />` : html`<${ChannelList} me=${me} activeId=${id} onNew=${setDialog} />`}
      </nav>
      ${id ? html`<${Conversation} id=${id} me=${me} />` : html`<div class="chat-conv chat-conv-empty"><p>${t('chat.pick')}</p></div>`}
      ${id && thread && html`<${ThreadPane} rootId=${thread} me=${me} />`}
    </div>
    ${dialog === 'channel' && html`<${NewChannelDialog} me=${me} onClose=${() => setDialog(null)} />`}
    ${dialog === 'direct' && html`<${NewDirectDialog} me=${me} onClose=${() => setDialog(null)} />`}
    ${dialog === 'browse' && html`<${BrowseDialog} onClose=${() => setDialog(null)} />`}
  </div>`;
}
