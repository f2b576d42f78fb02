/* routes.c - every route of the portal in one table: method, path, who may call it,
 * handler. The access-matrix test is generated from this table (`portal routes`), so
 * a route without a rule cannot slip in. Realms: ANON (no session), EMPLOYEE (+ the
 * minimum role), CUSTOMER, PARTNER; see http.h. */
#include "http.h"

#include "audit.h"
#include "auth.h"
#include "boards.h"
#include "cabinet.h"
#include "chat.h"
#include "crm.h"
#include "documents.h"
#include "feed.h"
#include "files.h"
#include "health.h"
#include "kb.h"
#include "notify.h"
#include "orders.h"
#include "realtime.h"
#include "tickets.h"
#include "users.h"

#define ANY        REALM_ALL
#define SESSION    REALM_SESSION
#define EMP        REALM_EMPLOYEE
#define CAB        REALM_CABINET
#define NOBODY_YET REALM_ANON /* open only to callers without a session */

const struct route http_routes[] = {
    /* method   path                                  who      min role      handler */
    {"GET", "/healthz", ANY, ROLE_NONE, health_healthz},
    {"GET", "/api/v1/ping", ANY, ROLE_NONE, health_ping},

    /* identity: login and the one-time links are open; the rest needs a session */
    {"POST", "/api/v1/auth/login", ANY, ROLE_NONE, auth_login, ROUTE_NO_CSRF | ROUTE_SESSION_AWARE},
    {"POST", "/api/v1/auth/logout", SESSION, ROLE_MEMBER, auth_logout},
    {"POST", "/api/v1/auth/invitations/inspect", ANY, ROLE_NONE, invitations_inspect,
     ROUTE_NO_CSRF},
    {"POST", "/api/v1/auth/invitations/accept", ANY, ROLE_NONE, invitations_accept, ROUTE_NO_CSRF},
    {"POST", "/api/v1/auth/reset/request", ANY, ROLE_NONE, reset_request, ROUTE_NO_CSRF},
    {"POST", "/api/v1/auth/reset/confirm", ANY, ROLE_NONE, reset_confirm, ROUTE_NO_CSRF},
    {"GET", "/api/v1/me", SESSION, ROLE_MEMBER, auth_me},
    {"GET", "/api/v1/me/sessions", SESSION, ROLE_MEMBER, auth_my_sessions},
    {"DELETE", "/api/v1/me/sessions/{id}", SESSION, ROLE_MEMBER, auth_end_my_session},
    {"POST", "/api/v1/me/password", SESSION, ROLE_MEMBER, auth_change_password},

    /* administration (employees) */
    {"GET", "/api/v1/users", EMP, ROLE_MANAGER, users_list},
    {"POST", "/api/v1/users", EMP, ROLE_ADMIN, users_create},
    {"PATCH", "/api/v1/users/{id}", EMP, ROLE_ADMIN, users_update},
    {"GET", "/api/v1/invitations", EMP, ROLE_MANAGER, invitations_list},
    {"POST", "/api/v1/invitations", EMP, ROLE_MANAGER, invitations_create},
    {"DELETE", "/api/v1/invitations/{id}", EMP, ROLE_MANAGER, invitations_revoke},
    {"GET", "/api/v1/sessions", EMP, ROLE_ADMIN, auth_sessions_list},
    {"DELETE", "/api/v1/sessions/{id}", EMP, ROLE_ADMIN, auth_sessions_end},
    {"GET", "/api/v1/audit", EMP, ROLE_ADMIN, audit_list},

    /* company feed (employees) */
    {"GET", "/api/v1/feed/posts", EMP, ROLE_MEMBER, feed_posts_list},
    {"POST", "/api/v1/feed/posts", EMP, ROLE_MEMBER, feed_post_create},
    {"GET", "/api/v1/feed/posts/{id}", EMP, ROLE_MEMBER, feed_post_get},
    {"PATCH", "/api/v1/feed/posts/{id}", EMP, ROLE_MEMBER, feed_post_update},
    {"DELETE", "/api/v1/feed/posts/{id}", EMP, ROLE_MEMBER, feed_post_delete},
    {"GET", "/api/v1/feed/posts/{id}/versions", EMP, ROLE_MEMBER, feed_post_versions},
    {"POST", "/api/v1/feed/posts/{id}/comments", EMP, ROLE_MEMBER, feed_comment_create},
    {"PUT", "/api/v1/feed/posts/{id}/like", EMP, ROLE_MEMBER, feed_post_like},
    {"DELETE", "/api/v1/feed/posts/{id}/like", EMP, ROLE_MEMBER, feed_post_like},
    {"GET", "/api/v1/feed/posts/{id}/likes", EMP, ROLE_MEMBER, feed_post_likers},
    {"POST", "/api/v1/feed/posts/{id}/ack", EMP, ROLE_MEMBER, feed_post_ack},
    {"GET", "/api/v1/feed/posts/{id}/acks", EMP, ROLE_MEMBER, feed_post_acks},
    {"PUT", "/api/v1/feed/comments/{id}/like", EMP, ROLE_MEMBER, feed_comment_like},
    {"DELETE", "/api/v1/feed/comments/{id}/like", EMP, ROLE_MEMBER, feed_comment_like},
    {"GET", "/api/v1/groups", EMP, ROLE_MEMBER, feed_groups_list},
    {"POST", "/api/v1/groups", EMP, ROLE_MANAGER, feed_group_create},
    {"POST", "/api/v1/groups/{id}/members", EMP, ROLE_MANAGER, feed_group_add_member},
    {"DELETE", "/api/v1/groups/{id}/members/{user_id}", EMP, ROLE_MANAGER,
     feed_group_remove_member},
    {"GET", "/api/v1/people", EMP, ROLE_MEMBER, feed_people_lookup},
    {"POST", "/api/v1/markdown/preview", SESSION, ROLE_MEMBER, feed_markdown_preview},
    {"GET", "/api/v1/notifications", SESSION, ROLE_MEMBER, notify_list},
    {"POST", "/api/v1/notifications/read", SESSION, ROLE_MEMBER, notify_mark_read},

    /* realtime: a one-time ticket that opens the websocket on PORTAL_WS */
    {"POST", "/api/v1/realtime/ticket", SESSION, ROLE_MEMBER, realtime_ticket_create},

    /* knowledge base (employees) */
    {"GET", "/api/v1/kb/spaces", EMP, ROLE_MEMBER, kb_spaces_list},
    {"POST", "/api/v1/kb/spaces", EMP, ROLE_MANAGER, kb_space_create},
    {"GET", "/api/v1/kb/articles", EMP, ROLE_MEMBER, kb_articles_list},
    {"POST", "/api/v1/kb/articles", EMP, ROLE_MEMBER, kb_article_create},
    {"GET", "/api/v1/kb/articles/{id}", EMP, ROLE_MEMBER, kb_article_get},
    {"PUT", "/api/v1/kb/articles/{id}", EMP, ROLE_MEMBER, kb_article_update},
    {"GET", "/api/v1/kb/articles/{id}/revisions", EMP, ROLE_MEMBER, kb_revisions_list},
    {"GET", "/api/v1/kb/articles/{id}/revisions/{rev}", EMP, ROLE_MEMBER, kb_revision_get},
    {"GET", "/api/v1/kb/articles/{id}/diff", EMP, ROLE_MEMBER, kb_article_diff},
    {"POST", "/api/v1/kb/articles/{id}/restore", EMP, ROLE_MEMBER, kb_article_restore},
    {"GET", "/api/v1/kb/search", EMP, ROLE_MEMBER, kb_search},

    /* projects and boards (employees; project membership is checked per row in SQL,
     * admins see every project) */
    {"GET", "/api/v1/projects", EMP, ROLE_MEMBER, boards_projects_list},
    {"POST", "/api/v1/projects", EMP, ROLE_MEMBER, boards_project_create},
    {"GET", "/api/v1/projects/{id}", EMP, ROLE_MEMBER, boards_project_get},
    {"PATCH", "/api/v1/projects/{id}", EMP, ROLE_MEMBER, boards_project_update},
    {"POST", "/api/v1/projects/{id}/boards", EMP, ROLE_MEMBER, boards_board_create},
    {"POST", "/api/v1/projects/{id}/labels", EMP, ROLE_MEMBER, boards_label_create},
    {"PATCH", "/api/v1/labels/{id}", EMP, ROLE_MEMBER, boards_label_update},
    {"DELETE", "/api/v1/labels/{id}", EMP, ROLE_MEMBER, boards_label_delete},
    {"GET", "/api/v1/boards/{id}", EMP, ROLE_MEMBER, boards_board_get},
    {"PATCH", "/api/v1/boards/{id}", EMP, ROLE_MEMBER, boards_board_update},
    {"POST", "/api/v1/boards/{id}/columns", EMP, ROLE_MEMBER, boards_column_create},
    {"POST", "/api/v1/boards/{id}/columns/reorder", EMP, ROLE_MEMBER, boards_columns_reorder},
    {"PATCH", "/api/v1/boards/{id}/columns/{column_id}", EMP, ROLE_MEMBER, boards_column_update},
    {"POST", "/api/v1/boards/{id}/cards", EMP, ROLE_MEMBER, boards_card_create},
    {"GET", "/api/v1/cards/{id}", EMP, ROLE_MEMBER, boards_card_get},
    {"PATCH", "/api/v1/cards/{id}", EMP, ROLE_MEMBER, boards_card_update},
    {"POST", "/api/v1/cards/{id}/move", EMP, ROLE_MEMBER, boards_card_move},
    {"GET", "/api/v1/cards/{id}/activity", EMP, ROLE_MEMBER, boards_card_activity},
    {"POST", "/api/v1/cards/{id}/comments", EMP, ROLE_MEMBER, boards_comment_create},
    {"POST", "/api/v1/cards/{id}/checklist", EMP, ROLE_MEMBER, boards_checklist_add},
    {"PATCH", "/api/v1/cards/{id}/checklist/{item_id}", EMP, ROLE_MEMBER, boards_checklist_update},
    {"DELETE", "/api/v1/cards/{id}/checklist/{item_id}", EMP, ROLE_MEMBER, boards_checklist_delete},
    {"GET", "/api/v1/me/tasks", EMP, ROLE_MEMBER, boards_my_tasks},

    /* chat (employees; every channel route checks membership in SQL: 404 for outsiders) */
    {"GET", "/api/v1/chat/channels", EMP, ROLE_MEMBER, chat_channels_list},
    {"POST", "/api/v1/chat/channels", EMP, ROLE_MEMBER, chat_channel_create},
    {"GET", "/api/v1/chat/channels/browse", EMP, ROLE_MEMBER, chat_channels_browse},
    {"GET", "/api/v1/chat/channels/{id}", EMP, ROLE_MEMBER, chat_channel_get},
    {"PATCH", "/api/v1/chat/channels/{id}", EMP, ROLE_MEMBER, chat_channel_update},
    {"POST", "/api/v1/chat/channels/{id}/join", EMP, ROLE_MEMBER, chat_channel_join},
    {"POST", "/api/v1/chat/channels/{id}/members", EMP, ROLE_MEMBER, chat_member_add},
    {"DELETE", "/api/v1/chat/channels/{id}/members/{user_id}", EMP, ROLE_MEMBER,
     chat_member_remove},
    {"PATCH", "/api/v1/chat/channels/{id}/members/{user_id}", EMP, ROLE_MEMBER, chat_member_role},
    {"GET", "/api/v1/chat/channels/{id}/messages", EMP, ROLE_MEMBER, chat_messages_list},
    {"POST", "/api/v1/chat/channels/{id}/messages", EMP, ROLE_MEMBER, chat_message_send},
    {"POST", "/api/v1/chat/channels/{id}/read", EMP, ROLE_MEMBER, chat_read},
    {"POST", "/api/v1/chat/direct", EMP, ROLE_MEMBER, chat_direct_open},
    {"PATCH", "/api/v1/chat/messages/{id}", EMP, ROLE_MEMBER, chat_message_edit},
    {"DELETE", "/api/v1/chat/messages/{id}", EMP, ROLE_MEMBER, chat_message_delete},
    {"GET", "/api/v1/chat/messages/{id}/thread", EMP, ROLE_MEMBER, chat_thread_get},
    {"PUT", "/api/v1/chat/messages/{id}/reactions/{emoji}", EMP, ROLE_MEMBER, chat_reaction},
    {"DELETE", "/api/v1/chat/messages/{id}/reactions/{emoji}", EMP, ROLE_MEMBER, chat_reaction},
    {"GET", "/api/v1/chat/search", EMP, ROLE_MEMBER, chat_search},

    /* CRM (employees: every employee reads and edits the records, a manager creates
     * accounts) */
    {"GET", "/api/v1/accounts", EMP, ROLE_MEMBER, crm_accounts_list},
    {"POST", "/api/v1/accounts", EMP, ROLE_MANAGER, crm_accounts_create},
    {"GET", "/api/v1/accounts/{id}", EMP, ROLE_MEMBER, crm_account_get},
    {"PATCH", "/api/v1/accounts/{id}", EMP, ROLE_MEMBER, crm_account_update},
    {"GET", "/api/v1/accounts/{id}/timeline", EMP, ROLE_MEMBER, crm_account_timeline},
    {"GET", "/api/v1/contacts", EMP, ROLE_MEMBER, crm_contacts_list},
    {"POST", "/api/v1/contacts", EMP, ROLE_MEMBER, crm_contact_create},
    {"GET", "/api/v1/contacts/{id}", EMP, ROLE_MEMBER, crm_contact_get},
    {"PATCH", "/api/v1/contacts/{id}", EMP, ROLE_MEMBER, crm_contact_update},
    {"DELETE", "/api/v1/contacts/{id}", EMP, ROLE_MEMBER, crm_contact_delete},
    {"GET", "/api/v1/orders", EMP, ROLE_MEMBER, orders_list},
    {"POST", "/api/v1/orders", EMP, ROLE_MEMBER, orders_create},
    {"GET", "/api/v1/orders/{id}", EMP, ROLE_MEMBER, orders_get},
    {"PATCH", "/api/v1/orders/{id}", EMP, ROLE_MEMBER, orders_update},
    {"POST", "/api/v1/orders/{id}/status", EMP, ROLE_MEMBER, orders_set_status},

    /* support tickets (employees: every ticket; the workflow is in client-cabinet/tickets.c) */
    {"GET", "/api/v1/tickets", EMP, ROLE_MEMBER, tickets_list},
    {"POST", "/api/v1/tickets", EMP, ROLE_MEMBER, tickets_create},
    {"GET", "/api/v1/tickets/people", EMP, ROLE_MEMBER, tickets_people},
    {"GET", "/api/v1/tickets/{id}", EMP, ROLE_MEMBER, tickets_get},
    {"PATCH", "/api/v1/tickets/{id}", EMP, ROLE_MEMBER, tickets_update},
    {"POST", "/api/v1/tickets/{id}/messages", EMP, ROLE_MEMBER, tickets_message},
    {"POST", "/api/v1/tickets/{id}/assign", EMP, ROLE_MEMBER, tickets_assign},
    {"POST", "/api/v1/tickets/{id}/status", EMP, ROLE_MEMBER, tickets_status},

    /* client cabinet (customers and partners; rows filtered by the session's account).
     * An employee may also GET these read-only as "preview as customer" (see auth.c). */
    {"GET", "/api/v1/cabinet/account", CAB, ROLE_NONE, cab_account},
    {"GET", "/api/v1/cabinet/orders", CAB, ROLE_NONE, orders_cabinet_list},
    {"GET", "/api/v1/cabinet/orders/{id}", CAB, ROLE_NONE, orders_cabinet_get},
    {"GET", "/api/v1/cabinet/kb/articles", CAB, ROLE_NONE, kb_cabinet_list},
    {"GET", "/api/v1/cabinet/kb/articles/{id}", CAB, ROLE_NONE, kb_cabinet_get},
    {"GET", "/api/v1/cabinet/tickets", CAB, ROLE_NONE, cab_tickets_list},
    {"POST", "/api/v1/cabinet/tickets", CAB, ROLE_NONE, cab_tickets_create},
    {"GET", "/api/v1/cabinet/tickets/{id}", CAB, ROLE_NONE, cab_tickets_get},
    {"POST", "/api/v1/cabinet/tickets/{id}/messages", CAB, ROLE_NONE, cab_tickets_message},
    {"POST", "/api/v1/cabinet/tickets/{id}/rating", CAB, ROLE_NONE, cab_tickets_rate},

    {"GET", "/api/v1/cabinet/documents", CAB, ROLE_NONE, cab_documents_list},
    {"POST", "/api/v1/cabinet/documents", CAB, ROLE_NONE, cab_document_upload, ROUTE_RAW_BODY},
    {"GET", "/api/v1/cabinet/documents/{id}", CAB, ROLE_NONE, cab_document_get},
    {"GET", "/api/v1/cabinet/documents/{id}/versions/{version_id}/download", CAB, ROLE_NONE,
     cab_document_download},
    {"POST", "/api/v1/cabinet/documents/{id}/ack", CAB, ROLE_NONE, cab_document_ack},

    /* documents (employees see every account's; uploads are raw bodies) */
    {"GET", "/api/v1/documents", EMP, ROLE_MEMBER, doc_list},
    {"POST", "/api/v1/documents", EMP, ROLE_MEMBER, doc_create, ROUTE_RAW_BODY},
    {"GET", "/api/v1/documents/{id}", EMP, ROLE_MEMBER, doc_get},
    {"PATCH", "/api/v1/documents/{id}", EMP, ROLE_MEMBER, doc_update},
    {"POST", "/api/v1/documents/{id}/versions", EMP, ROLE_MEMBER, doc_version_upload,
     ROUTE_RAW_BODY},
    {"GET", "/api/v1/documents/{id}/versions/{version_id}/download", EMP, ROLE_MEMBER,
     doc_version_download},
    {"POST", "/api/v1/documents/{id}/links", EMP, ROLE_MEMBER, doc_link_create},
    {"DELETE", "/api/v1/share-links/{id}", EMP, ROLE_MEMBER, doc_link_revoke},
    {"GET", "/api/v1/folders", EMP, ROLE_MEMBER, doc_folders_list},
    {"POST", "/api/v1/folders", EMP, ROLE_MEMBER, doc_folder_create},
    {"POST", "/api/v1/folders/{id}/upload-links", EMP, ROLE_MEMBER, doc_upload_link_create},

    /* share and upload-request links: no session; the token is the credential */
    {"GET", "/s/{token}", ANY, ROLE_NONE, doc_share_get},
    {"POST", "/s/{token}", ANY, ROLE_NONE, doc_share_post, ROUTE_NO_CSRF | ROUTE_RAW_BODY},
    {"GET", "/u/{token}", ANY, ROLE_NONE, doc_upload_page},
    {"POST", "/u/{token}", ANY, ROLE_NONE, doc_upload_post, ROUTE_NO_CSRF | ROUTE_RAW_BODY},

    /* files: any realm with a session; downloads follow the owning object's rule */
    {"POST", "/api/v1/files", SESSION, ROLE_MEMBER, files_upload, ROUTE_RAW_BODY},
    {"GET", "/api/v1/files/{id}", SESSION, ROLE_MEMBER, files_download},
};

const size_t http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);
