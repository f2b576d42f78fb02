// Employee app: navigation of the workspace; each section is a placeholder until its issue lands.
import { startShell } from '/shared/shell.js';

/* Sections in nav order; `page: Component` replaces a placeholder when a section is built. */
const NAV = [
  { path: '/app/feed', label: 'app.nav.feed', lead: 'app.lead.feed', icon: 'feed' },
  { path: '/app/kb', label: 'app.nav.kb', lead: 'app.lead.kb', icon: 'book' },
  { path: '/app/projects', label: 'app.nav.projects', lead: 'app.lead.projects', icon: 'board' },
  { path: '/app/chat', label: 'app.nav.chat', lead: 'app.lead.chat', icon: 'chat' },
  {
    id: 'crm',
    label: 'app.nav.crm',
    items: [
      { path: '/app/crm/accounts', label: 'app.nav.accounts', lead: 'app.lead.accounts', icon: 'building' },
      { path: '/app/crm/orders', label: 'app.nav.orders', lead: 'app.lead.orders', icon: 'box' },
      { path: '/app/crm/tickets', label: 'app.nav.tickets', lead: 'app.lead.tickets', icon: 'ticket' },
      { path: '/app/crm/documents', label: 'app.nav.documents', lead: 'app.lead.documents', icon: 'file' },
    ],
  },
];

await startShell({
  base: '/app',
  home: '/app/feed',
  nav: NAV,
  realm: null,
  titleKey: 'app.title',
  // Sign-in (its own issue): pass `gate: LoginGate`, a component that asks GET /api/v1/me and
  // renders the login form (POST /api/v1/auth/login, then api.js setCsrfToken) until a session
  // exists, then its children (the app frame). api.js onUnauthorized() reports later 401s.
  gate: null,
});
