// The chat's unread count beside "Chat" in the main navigation: the sum over my channels
// and conversations, archived ones left out. While the chat page runs, its store is live
// and the badge reads it, so reading a channel clears it at once; elsewhere the badge
// asks the server again on each chat event that may change the count (batched), and
// polls only while the websocket is down.
import { html, useEffect, useState } from '/shared/preact.js';
import { api } from '/shared/api.js';
import { useLiveRefresh } from '/shared/realtime.js';
import { tn } from '/app/feed/common.js';
import { isRunning, unreadTotal, useChat } from '/app/chat/store.js';

const POLL_MS = 30000;
const PREFIXES = ['chat.message', 'chat.read', 'chat.member', 'chat.channel'];

/* id: the element whose text describes the nav link (see NavLink in ui.js). */
export function ChatNavBadge({ id }) {
  useChat();
  const [own, setOwn] = useState(0);
  const running = isRunning();

  async function refresh() {
    if (isRunning()) return;
    try {
      const answer = await api.get('/chat/channels');
      setOwn(answer.items.reduce((n, c) => n + (c.unread || 0), 0));
    } catch {
      /* keep the last count: the next event or poll asks again */
    }
  }
  useLiveRefresh(refresh, { prefixes: PREFIXES, match: () => !isRunning(), pollMs: POLL_MS });
  // on mount, and when the chat page closes (its store stops following)
  useEffect(() => {
    if (!running) refresh();
  }, [running]);

  const n = running ? unreadTotal() : own;
  if (!n) return null;
  return html`<span class="chat-badge nav-badge" aria-hidden="true">${n > 99 ? '99+' : n}</span>
    <span class="visually-hidden" id=${id} aria-hidden="true">${tn('chat.unread', n)}</span>`;
}
