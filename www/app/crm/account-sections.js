// The sections of an account's page (/app/crm/accounts/{id}), shown as tabs in this order.
// Each is { id, label: catalog key, component } and the component gets { account, onChange }
// (onChange() reloads the account, e.g. after its counts changed). Tickets and documents add
// their own line here.
import { ContactsSection } from '/app/crm/contacts.js';
import { AccountOrdersSection } from '/app/crm/orders.js';
import { TimelineSection } from '/app/crm/timeline.js';
import { AccountDocuments } from '/app/crm/documents.js';
import { AccountTickets } from '/app/crm/tickets.js';

export const ACCOUNT_SECTIONS = [
  { id: 'orders', label: 'crm.section.orders', component: AccountOrdersSection },
  { id: 'tickets', label: 'tickets.section', component: AccountTickets },
  { id: 'contacts', label: 'crm.section.contacts', component: ContactsSection },
  { id: 'documents', label: 'documents.section', component: AccountDocuments },
  { id: 'timeline', label: 'crm.section.timeline', component: TimelineSection },
];
