// Employee app: navigation of the workspace; each section is a placeholder until its issue lands.
import { startShell } from '/shared/shell.js';
import { KbPage } from '/app/kb/page.js';
import { MePage } from '/shared/account.js';
import { UsersPage } from '/app/admin/users.js';
import { InvitationsPage } from '/app/admin/invitations.js';
import { SessionsPage } from '/app/admin/sessions.js';
import { AuditPage } from '/app/admin/audit.js';
import { FeedPage } from '/app/feed/feed.js';
import { NotificationBell } from '/app/feed/bell.js';
import { ProjectsPage } from '/app/boards/projects.js';
import { TasksPage } from '/app/boards/tasks.js';
import { AccountsPage } from '/app/crm/accounts.js';
import { OrdersPage } from '/app/crm/orders.js';
import { ChatPage } from '/app/chat/chat.js';
import { ChatNavBadge } from '/app/chat/badge.js';
import { DocumentsPage } from '/app/crm/documents.js';
import { TicketsPage } from '/app/crm/tickets.js';

/* Sections in nav order; `page: Component` replaces a placeholder when a section is built;
 * `roles` limits an item or a group to those employee roles (the server checks again);
 * `badge: Component` shows a count beside the item (it renders nothing when there is none). */
const NAV = [
  { path: '/app/feed', label: 'app.nav.feed', lead: 'app.lead.feed', icon: 'feed', page: FeedPage },
  { path: '/app/kb', label: 'app.nav.kb', lead: 'app.lead.kb', icon: 'book', page: KbPage },
  { path: '/app/projects', label: 'app.nav.projects', lead: 'app.lead.projects', icon: 'board', page: ProjectsPage },
  { path: '/app/tasks', label: 'app.nav.tasks', lead: 'app.lead.tasks', icon: 'tasks', page: TasksPage },
  { path: '/app/chat', label: 'app.nav.chat', lead: 'app.lead.chat', icon: 'chat', page: ChatPage, badge: ChatNavBadge },
  {
    id: 'crm',
    label: 'app.nav.crm',
    items: [
      { path: '/app/crm/accounts', label: 'app.nav.accounts', lead: 'app.lead.accounts', icon: 'building', page: AccountsPage },
      { path: '/app/crm/orders', label: 'app.nav.orders', lead: 'app.lead.orders', icon: 'box', page: OrdersPage },
      { path: '/app/crm/tickets', label: 'app.nav.tickets', lead: 'app.lead.tickets', icon: 'ticket', page: TicketsPage },
      { path: '/app/crm/documents', label: 'app.nav.documents', lead: 'app.lead.documents', icon: 'file', page: DocumentsPage },
    ],
  },
  {
    id: 'admin',
    label: 'app.nav.admin',
    roles: ['admin', 'manager'],
    items: [
      { path: '/app/admin/users', label: 'admin.nav.users', icon: 'users', page: UsersPage },
      { path: '/app/admin/invitations', label: 'admin.nav.invitations', icon: 'send', page: InvitationsPage },
      { path: '/app/admin/sessions', label: 'admin.nav.sessions', icon: 'monitor', page: SessionsPage, roles: ['admin'] },
      { path: '/app/admin/audit', label: 'admin.nav.audit', icon: 'history', page: AuditPage, roles: ['admin'] },
    ],
  },
];

/* Pages reached from the user menu rather than the nav. */
const ROUTES = [{ path: '/app/me', label: 'me.title', icon: 'user', page: MePage }];

await startShell({
  base: '/app',
  home: '/app/feed',
  nav: NAV,
  routes: ROUTES,
  realm: null,
  titleKey: 'app.title',
  auth: 'employee', // employees sign in here; /app/login, /reset, /invite need no session
  headerExtra: NotificationBell, // in the header of every page, before the user menu
});
