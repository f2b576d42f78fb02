// Customer and partner cabinet: the same frame as the employee app with the cabinet's sections.
import { startShell } from '/shared/shell.js';
import { HelpPage } from '/cabinet/help/help.js';
import { MePage } from '/shared/account.js';
import { CabinetOrdersPage } from '/cabinet/orders/orders.js';
import { CabinetBell } from '/cabinet/bell.js';
import { PreviewBanner } from '/cabinet/preview.js';
import { CabinetDocumentsPage } from '/cabinet/documents.js';
import { CabinetTicketsPage } from '/cabinet/tickets/tickets.js';

/* Sections in nav order; `page: Component` replaces a placeholder when a section is built. */
const NAV = [
  { path: '/cabinet/orders', label: 'cabinet.nav.orders', lead: 'cabinet.lead.orders', icon: 'box', page: CabinetOrdersPage },
  { path: '/cabinet/tickets', label: 'cabinet.nav.tickets', lead: 'cabinet.lead.tickets', icon: 'ticket', page: CabinetTicketsPage },
  { path: '/cabinet/help', label: 'cabinet.nav.help', lead: 'cabinet.lead.help', icon: 'help', page: HelpPage },
  { path: '/cabinet/documents', label: 'cabinet.nav.documents', lead: 'cabinet.lead.documents', icon: 'file', page: CabinetDocumentsPage },
];

/* Pages reached from the user menu rather than the nav. */
const ROUTES = [{ path: '/cabinet/me', label: 'me.title', icon: 'user', page: MePage }];

await startShell({
  base: '/cabinet',
  home: '/cabinet/orders',
  nav: NAV,
  routes: ROUTES,
  realm: 'cabinet.realm',
  titleKey: 'cabinet.title',
  auth: 'cabinet', // customers and partners sign in here; /cabinet/login, /reset, /invite need no session
  headerExtra: CabinetBell, // order status changes and other notifications
  banner: PreviewBanner, // "preview as customer": an employee reads this account's cabinet, read-only
});
