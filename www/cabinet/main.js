// Customer and partner cabinet: the same frame as the employee app with the cabinet's sections.
import { startShell } from '/shared/shell.js';

/* Sections in nav order; `page: Component` replaces a placeholder when a section is built. */
const NAV = [
  { path: '/cabinet/orders', label: 'cabinet.nav.orders', lead: 'cabinet.lead.orders', icon: 'box' },
  { path: '/cabinet/tickets', label: 'cabinet.nav.tickets', lead: 'cabinet.lead.tickets', icon: 'ticket' },
  { path: '/cabinet/help', label: 'cabinet.nav.help', lead: 'cabinet.lead.help', icon: 'help' },
  { path: '/cabinet/documents', label: 'cabinet.nav.documents', lead: 'cabinet.lead.documents', icon: 'file' },
];

await startShell({
  base: '/cabinet',
  home: '/cabinet/orders',
  nav: NAV,
  realm: 'cabinet.realm',
  titleKey: 'cabinet.title',
  // Sign-in (its own issue): pass `gate: LoginGate` here too, against the cabinet realm.
  gate: null,
});
