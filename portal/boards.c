/* boards.c - projects, boards, columns, labels and cards. Who may touch a project is
 * decided in SQL (a member, or an admin) on every row a request reaches. Cards are
 * ordered inside their column by a sparse BIGINT sort key: a move takes a key between
 * its new neighbours' and renumbers the column only when no key is left between them.
 * A move locks the column rows it touches (source and target, in id order) before it
 * reads any key, so concurrent moves into one column run one after another and no two
 * cards ever share a position (a unique key backs this up). Every change of a card
 * writes its activity history, an outbox event for the board and the audit log in the
 * same transaction; a board loads in a fixed number of queries whatever its size. */
#include "boards.h"

#include <ctype.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audience.h"
#include "audit.h"
#include "auth.h"
#include "config.h"
#include "crm.h"
#include "db.h"
#include "files.h"
#include "jsonw.h"
#include "markdown.h"
#include "notify.h"
#include "outbox.h"
#include "richtext.h"
#include "scheduler.h"

#define KEY_GAP         (1LL << 20) /* between neighbours' sort keys after a renumbering */
#define MAX_CHECKLIST   100         /* items on one card */
#define MAX_ASSIGNEES   20
#define MAX_CARD_LABELS 20
#define MAX_LABELS      100 /* labels of one project */
#define MAX_COLUMNS     50  /* columns of one board, archived ones included */
#define MAX_BOARDS      50  /* boards of one project */
#define MAX_BOARD_CARDS 10000
#define MAX_MEMBERS     500
#define MAX_FILES       20

#define IDS_TABLE(col)                                                                             \
    "SELECT " col " FROM JSON_TABLE(?, '$[*]' COLUMNS (" col " BIGINT PATH '$')) t"

/* May the caller work in project `p`? Arguments: is_admin, user_id. */
#define ALLOWED(p)                                                                                 \
    " (? = 1 OR EXISTS (SELECT 1 FROM project_members pm WHERE pm.project_id = " p                 \
    " AND pm.user_id = ?))"
#define ALLOWED_P ALLOWED("p.id")
#define ALLOWED_B ALLOWED("b.project_id")
#define ALLOWED_L ALLOWED("l.project_id")

/* Where a card stands for the "open" lists and the reminders: not archived, in a live
 * column that is not a "done" one, on a live board of a live project. */
#define OPEN_CARD                                                                                  \
    " c.archived = 0 AND col.done = 0 AND col.archived = 0 AND b.archived = 0 AND p.archived = 0"

/* --- projects ------------------------------------------------------------------------ */

#define PROJECT_COLUMNS                                                                            \
    "p.id, p.name, p.description, p.archived, p.version, p.created_at, p.updated_at, a.id,"        \
    " a.name, a.kind, EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id"           \
    " AND m.user_id = ?)"
static const char sql_projects[] =
    "SELECT " PROJECT_COLUMNS ", (SELECT COUNT(*) FROM project_members m"
    " WHERE m.project_id = p.id) FROM projects p LEFT JOIN accounts a ON a.id = p.account_id"
    " WHERE (? = 1 OR p.archived = 0) AND" ALLOWED_P " ORDER BY p.name, p.id LIMIT 500";
static const char sql_project[] =
    "SELECT " PROJECT_COLUMNS ", u.id, u.name, u.handle," ALLOWED_P " FROM projects p"
    " LEFT JOIN accounts a ON a.id = p.account_id JOIN users u ON u.id = p.created_by"
    " WHERE p.id = ?";
static const char sql_project_boards[] =
    "SELECT b.id, b.project_id, b.name, b.archived, b.position FROM boards b"
    " WHERE b.project_id IN (" IDS_TABLE("id") ") ORDER BY b.position, b.id";
static const char sql_project_members[] =
    "SELECT u.id, u.name, u.handle FROM project_members m JOIN users u ON u.id = m.user_id"
    " WHERE m.project_id = ? ORDER BY u.name, u.id";
static const char sql_project_labels[] =
    "SELECT id, name, color FROM labels WHERE project_id = ? ORDER BY name, id";
static const char sql_project_access[] = "SELECT p.id," ALLOWED_P " FROM projects p WHERE p.id = ?";
static const char sql_project_insert[] =
    "INSERT INTO projects (name, description, account_id, created_by, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
static const char sql_project_lock[] =
    "SELECT name, description, account_id, archived, version FROM projects WHERE id = ?"
    " FOR UPDATE";
static const char sql_project_update[] =
    "UPDATE projects SET name = ?, description = ?, account_id = ?, archived = ?,"
    " version = version + 1, updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND version = ?";
static const char sql_employees_in[] =
    "SELECT id FROM users WHERE realm = 'employee' AND disabled = 0 AND id IN (" IDS_TABLE(
        "id") ")";
static const char sql_members_of[] =
    "SELECT user_id FROM project_members WHERE project_id = ? ORDER BY user_id";
static const char sql_member_add[] =
    "INSERT IGNORE INTO project_members (project_id, user_id, added_at)"
    " VALUES (?, ?, UTC_TIMESTAMP(6))";
static const char sql_member_remove[] =
    "DELETE FROM project_members WHERE project_id = ? AND user_id = ?";
/* Someone who left a project keeps no cards in it. */
static const char sql_unassign_left[] =
    "DELETE a FROM card_assignees a JOIN cards c ON c.id = a.card_id JOIN boards b"
    " ON b.id = c.board_id WHERE b.project_id = ? AND a.user_id = ?";

/* --- boards, columns, labels --------------------------------------------------------- */

static const char sql_board_head[] =
    "SELECT b.id, b.name, b.archived, p.id, p.name, p.archived, a.id, a.name, a.kind," ALLOWED_P
    " FROM boards b JOIN projects p ON p.id = b.project_id"
    " LEFT JOIN accounts a ON a.id = p.account_id WHERE b.id = ?";
static const char sql_board_count[] =
    "SELECT COUNT(*), COALESCE(MAX(position), 0) FROM boards WHERE project_id = ?";
static const char sql_board_insert[] = "INSERT INTO boards (project_id, name, position, created_at)"
                                       " VALUES (?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_board_update[] =
    "UPDATE boards SET name = COALESCE(?, name), archived = IF(? = 1, ?, archived) WHERE id = ?";
static const char sql_board_lock[] = "SELECT id FROM boards WHERE id = ? FOR UPDATE";
static const char sql_columns[] =
    "SELECT c.id, c.name, c.position, c.wip_limit, c.done, c.archived,"
    " (SELECT COUNT(*) FROM cards k WHERE k.board_id = c.board_id AND k.column_id = c.id"
    " AND k.archived = 0) FROM board_columns c WHERE c.board_id = ? ORDER BY c.position, c.id";
static const char sql_column_insert[] =
    "INSERT INTO board_columns (board_id, name, position, wip_limit, done, created_at)"
    " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_column_count[] =
    "SELECT COUNT(*), COALESCE(MAX(position), 0), COALESCE(SUM(archived = 0), 0)"
    " FROM board_columns WHERE board_id = ?";
static const char sql_column_lock[] =
    "SELECT id, board_id, name, wip_limit, done, archived FROM board_columns WHERE id = ?"
    " FOR UPDATE";
static const char sql_column_update[] =
    "UPDATE board_columns SET name = ?, wip_limit = ?, done = ?, archived = ? WHERE id = ?";
static const char sql_column_position[] =
    "UPDATE board_columns SET position = ? WHERE id = ? AND board_id = ?";
static const char sql_first_column[] =
    "SELECT id FROM board_columns WHERE board_id = ? AND archived = 0 ORDER BY position, id"
    " LIMIT 1";
static const char sql_label_count[] = "SELECT COUNT(*) FROM labels WHERE project_id = ?";
static const char sql_label_insert[] =
    "INSERT INTO labels (project_id, name, color) VALUES (?, ?, ?)";
static const char sql_label_get[] =
    "SELECT l.id, l.project_id, l.name, l.color," ALLOWED_L " FROM labels l WHERE l.id = ?";
static const char sql_label_update[] = "UPDATE labels SET name = ?, color = ? WHERE id = ?";
static const char sql_label_delete[] = "DELETE FROM labels WHERE id = ?";
static const char sql_labels_in[] =
    "SELECT id FROM labels WHERE project_id = ? AND id IN (" IDS_TABLE("id") ")";
static const char sql_members_in[] =
    "SELECT user_id FROM project_members WHERE project_id = ? AND user_id IN (" IDS_TABLE("id") ")";

/* The cards of a board with what a board view shows, from the card rows alone (the
 * badges are kept on them, no blob is read); filters bind NULL (or 0) to switch
 * themselves off. Unordered: sorting 2,000 rows in C is cheaper than MariaDB's filesort
 * and its second read of every row. */
static const char sql_board_cards[] =
    "SELECT c.id, c.column_id, c.title, c.priority, c.due_date, c.archived, c.version,"
    " c.has_description, c.assignee_ids, c.label_ids, c.checklist_total, c.checklist_done,"
    " c.comment_count, c.file_count, c.sort_key FROM cards c WHERE c.board_id = ?"
    " AND c.archived = ? AND (? IS NULL OR FIND_IN_SET(?, c.assignee_ids))"
    " AND (? = 0 OR c.assignee_ids = '') AND (? IS NULL OR FIND_IN_SET(?, c.label_ids))"
    " AND (? = 0 OR c.due_date IS NULL) AND (? IS NULL OR c.due_date >= ?)"
    " AND (? IS NULL OR c.due_date <= ?)";
static const char sql_board_columns[] =
    "SELECT id, name, position, wip_limit, done, archived FROM board_columns WHERE board_id = ?"
    " ORDER BY position, id";
/* Open cards per column, for a filtered view (unfiltered, the rows are counted). */
static const char sql_board_column_counts[] =
    "SELECT column_id, COUNT(*) FROM cards WHERE board_id = ? AND archived = 0"
    " GROUP BY column_id";
/* Recomputes a card's badges from their tables; file_count only when given (>= 0). */
static const char sql_card_badges[] =
    "UPDATE cards SET assignee_ids = COALESCE((SELECT GROUP_CONCAT(x.user_id ORDER BY x.user_id)"
    " FROM card_assignees x WHERE x.card_id = ?), ''),"
    " label_ids = COALESCE((SELECT GROUP_CONCAT(x.label_id ORDER BY x.label_id)"
    " FROM card_labels x WHERE x.card_id = ?), ''),"
    " checklist_total = (SELECT COUNT(*) FROM card_checklist k WHERE k.card_id = ?),"
    " checklist_done = (SELECT COUNT(*) FROM card_checklist k WHERE k.card_id = ? AND k.done = 1),"
    " comment_count = (SELECT COUNT(*) FROM card_comments m WHERE m.card_id = ?),"
    " file_count = IF(? < 0, file_count, ?) WHERE id = ?";
/* Someone leaves a project: their cards there record it, get a new version, lose them
 * and show it. */
static const char sql_left_activity[] =
    "INSERT INTO card_activity (card_id, actor_id, kind, details, created_at)"
    " SELECT a.card_id, ?, 'updated', JSON_OBJECT('changes', JSON_OBJECT('assignees',"
    " JSON_OBJECT('added', JSON_ARRAY(), 'removed', JSON_ARRAY(a.user_id)))), UTC_TIMESTAMP(6)"
    " FROM card_assignees a JOIN cards c ON c.id = a.card_id JOIN boards b ON b.id = c.board_id"
    " WHERE b.project_id = ? AND a.user_id = ?";
static const char sql_left_bump[] =
    "UPDATE cards c JOIN boards b ON b.id = c.board_id JOIN card_assignees a ON a.card_id = c.id"
    " AND a.user_id = ? SET c.version = c.version + 1, c.updated_at = UTC_TIMESTAMP(6)"
    " WHERE b.project_id = ?";
static const char sql_left_badges[] =
    "UPDATE cards c JOIN boards b ON b.id = c.board_id SET c.assignee_ids ="
    " COALESCE((SELECT GROUP_CONCAT(x.user_id ORDER BY x.user_id) FROM card_assignees x"
    " WHERE x.card_id = c.id), '') WHERE b.project_id = ? AND FIND_IN_SET(?, c.assignee_ids)";
/* The same when a label is deleted (its card_labels rows go by cascade). */
static const char sql_label_gone_activity[] =
    "INSERT INTO card_activity (card_id, actor_id, kind, details, created_at)"
    " SELECT x.card_id, ?, 'updated', JSON_OBJECT('changes', JSON_OBJECT('labels',"
    " JSON_OBJECT('added', JSON_ARRAY(), 'removed', JSON_ARRAY(x.label_id)))), UTC_TIMESTAMP(6)"
    " FROM card_labels x WHERE x.label_id = ?";
static const char sql_label_gone_bump[] =
    "UPDATE cards c JOIN card_labels x ON x.card_id = c.id AND x.label_id = ?"
    " SET c.version = c.version + 1, c.updated_at = UTC_TIMESTAMP(6)";
static const char sql_label_gone_badges[] =
    "UPDATE cards c JOIN boards b ON b.id = c.board_id SET c.label_ids ="
    " COALESCE((SELECT GROUP_CONCAT(x.label_id ORDER BY x.label_id) FROM card_labels x"
    " WHERE x.card_id = c.id), '') WHERE b.project_id = ? AND FIND_IN_SET(?, c.label_ids)";

/* --- cards --------------------------------------------------------------------------- */

static const char sql_card_access[] =
    "SELECT c.board_id, b.project_id, c.column_id," ALLOWED_B
    " FROM cards c JOIN boards b ON b.id = c.board_id WHERE c.id = ?";
static const char sql_card[] =
    "SELECT c.id, c.board_id, b.name, b.project_id, p.name, c.column_id, col.name, col.done,"
    " c.title, c.description_md, c.description_html, c.priority, c.due_date, c.archived,"
    " c.version, c.created_at, c.updated_at, u.id, u.name, u.handle"
    " FROM cards c JOIN boards b ON b.id = c.board_id JOIN projects p ON p.id = b.project_id"
    " JOIN board_columns col ON col.id = c.column_id JOIN users u ON u.id = c.created_by"
    " WHERE c.id = ?";
static const char sql_card_assignees[] =
    "SELECT u.id, u.name, u.handle FROM card_assignees a JOIN users u ON u.id = a.user_id"
    " WHERE a.card_id = ? ORDER BY u.name, u.id";
static const char sql_card_labels[] =
    "SELECT l.id, l.name, l.color FROM card_labels x JOIN labels l ON l.id = x.label_id"
    " WHERE x.card_id = ? ORDER BY l.name, l.id";
static const char sql_card_checklist[] =
    "SELECT id, text, done FROM card_checklist WHERE card_id = ? ORDER BY position, id";
static const char sql_card_comments[] =
    "SELECT m.id, m.body_md, m.body_html, m.created_at, u.id, u.name, u.handle"
    " FROM card_comments m JOIN users u ON u.id = m.author_id WHERE m.card_id = ?"
    " ORDER BY m.id LIMIT 1000";
static const char sql_card_lock[] =
    "SELECT column_id, version, archived, sort_key, title, description_md, priority, due_date,"
    " board_id FROM cards WHERE id = ? FOR UPDATE";
static const char sql_card_insert[] =
    "INSERT INTO cards (board_id, column_id, sort_key, title, description_md, description_html,"
    " priority, due_date, created_by, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
static const char sql_card_update[] =
    "UPDATE cards SET title = COALESCE(?, title), description_md = COALESCE(?, description_md),"
    " description_html = COALESCE(?, description_html), priority = COALESCE(?, priority),"
    " due_date = IF(? = 1, ?, due_date), archived = IF(? = 1, ?, archived),"
    " version = version + 1, updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND version = ?";
static const char sql_card_touch[] =
    "UPDATE cards SET version = version + 1, updated_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char sql_board_active_cards[] =
    "SELECT COUNT(*) FROM cards WHERE board_id = ? AND archived = 0";
static const char sql_assignees_of[] =
    "SELECT user_id FROM card_assignees WHERE card_id = ? ORDER BY user_id";
static const char sql_assignee_add[] =
    "INSERT IGNORE INTO card_assignees (card_id, user_id) VALUES (?, ?)";
static const char sql_assignee_remove[] =
    "DELETE FROM card_assignees WHERE card_id = ? AND user_id = ?";
static const char sql_labels_of[] =
    "SELECT label_id FROM card_labels WHERE card_id = ? ORDER BY label_id";
static const char sql_card_label_add[] =
    "INSERT IGNORE INTO card_labels (card_id, label_id) VALUES (?, ?)";
static const char sql_card_label_remove[] =
    "DELETE FROM card_labels WHERE card_id = ? AND label_id = ?";
static const char sql_activity_insert[] =
    "INSERT INTO card_activity (card_id, actor_id, kind, details, created_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_activity_list[] =
    "SELECT a.id, a.kind, a.details, a.created_at, u.id, u.name, u.handle FROM card_activity a"
    " LEFT JOIN users u ON u.id = a.actor_id WHERE a.card_id = ? AND (? = 0 OR a.id < ?)"
    " ORDER BY a.id DESC LIMIT ?";

/* --- ordering ------------------------------------------------------------------------ */

/* Source and target column, locked in id order: every move takes its locks the same way
 * round, so two moves between the same columns queue instead of deadlocking. */
static const char sql_columns_lock[] =
    "SELECT id, name, board_id, archived, wip_limit FROM board_columns WHERE id IN (?, ?)"
    " ORDER BY id FOR UPDATE";
/* The card, the caller's right to it and, when given, the neighbour's column and board:
 * what a move needs before it takes any lock. */
static const char sql_move_head[] =
    "SELECT c.board_id, b.project_id, c.column_id," ALLOWED_B ", n.column_id, n.board_id"
    " FROM cards c JOIN boards b ON b.id = c.board_id LEFT JOIN cards n ON n.id = ?"
    " WHERE c.id = ?";
static const char sql_move_lock[] =
    "SELECT column_id, version, archived, sort_key FROM cards WHERE id = ? FOR UPDATE";
/* A neighbour's column and key, and the key next to it on the side the moving card
 * goes (the moving card itself left out). ORDER BY ... LIMIT 1 rather than MIN/MAX:
 * with "id <> ?" MIN/MAX would read the rest of the column, this reads a row or two of
 * the (column_id, sort_key) index. */
static const char sql_after_neighbour[] =
    "SELECT n.column_id, n.sort_key, n.board_id, (SELECT k.sort_key FROM cards k"
    " WHERE k.column_id = n.column_id AND k.sort_key > n.sort_key AND k.id <> ?"
    " ORDER BY k.sort_key LIMIT 1) FROM cards n WHERE n.id = ?";
static const char sql_before_neighbour[] =
    "SELECT n.column_id, n.sort_key, n.board_id, (SELECT k.sort_key FROM cards k"
    " WHERE k.column_id = n.column_id AND k.sort_key < n.sort_key AND k.id <> ?"
    " ORDER BY k.sort_key DESC LIMIT 1) FROM cards n WHERE n.id = ?";
static const char sql_key_last[] =
    "SELECT sort_key FROM cards WHERE column_id = ? AND id <> ? ORDER BY sort_key DESC LIMIT 1";
static const char sql_key_first[] =
    "SELECT sort_key FROM cards WHERE column_id = ? AND id <> ? ORDER BY sort_key LIMIT 1";
static const char sql_column_active_cards[] =
    "SELECT COUNT(*) FROM cards WHERE board_id = ? AND column_id = ? AND archived = 0";
/* Renumbers a column above its highest key, keeping the order: no new key can collide
 * with an old one, whatever order the rows are updated in. */
static const char sql_renumber[] =
    "UPDATE cards c JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY sort_key) AS n,"
    " MAX(sort_key) OVER () AS top FROM cards WHERE column_id = ?) t ON t.id = c.id"
    " SET c.sort_key = t.top + t.n * ?";
static const char sql_card_move[] =
    "UPDATE cards SET column_id = ?, sort_key = ?, version = version + 1,"
    " updated_at = UTC_TIMESTAMP(6) WHERE id = ?";

/* --- checklist, comments, mentions --------------------------------------------------- */

static const char sql_check_items[] =
    "SELECT id, text, done, position FROM card_checklist WHERE card_id = ? ORDER BY position, id";
static const char sql_check_insert[] =
    "INSERT INTO card_checklist (card_id, position, text, done, done_by, done_at, created_at)"
    " VALUES (?, ?, ?, ?, ?, IF(? = 1, UTC_TIMESTAMP(6), NULL), UTC_TIMESTAMP(6))";
/* done_by and done_at are set before done, so they still see the old value. */
static const char sql_check_update[] =
    "UPDATE card_checklist SET text = ?, position = ?,"
    " done_by = IF(? = 1, IF(done = 1, done_by, ?), NULL),"
    " done_at = IF(? = 1, IF(done = 1, done_at, UTC_TIMESTAMP(6)), NULL), done = ?"
    " WHERE id = ? AND card_id = ?";
static const char sql_check_delete[] = "DELETE FROM card_checklist WHERE id = ? AND card_id = ?";
static const char sql_comment_insert[] =
    "INSERT INTO card_comments (card_id, author_id, body_md, body_html, created_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char sql_comment_get[] =
    "SELECT m.id, m.body_md, m.body_html, m.created_at, u.id, u.name, u.handle"
    " FROM card_comments m JOIN users u ON u.id = m.author_id WHERE m.id = ?";
/* Mentioned employees who may see the card: its project's members and the admins. */
static const char sql_mention_targets[] =
    "SELECT u.id FROM users u WHERE u.realm = 'employee' AND u.disabled = 0"
    " AND u.handle IN (SELECT h FROM JSON_TABLE(?, '$[*]' COLUMNS (h VARCHAR(64) PATH '$')) t)"
    " AND (u.role = 'admin' OR EXISTS (SELECT 1 FROM project_members m"
    " WHERE m.project_id = ? AND m.user_id = u.id))";

/* --- my tasks and reminders ---------------------------------------------------------- */

static const char sql_my_tasks[] =
    "SELECT c.id, c.title, c.priority, c.due_date, c.version, p.id, p.name, b.id, b.name, col.id,"
    " col.name, (SELECT JSON_ARRAYAGG(JSON_OBJECT('id', l.id, 'name', l.name, 'color', l.color))"
    " FROM card_labels x JOIN labels l ON l.id = x.label_id WHERE x.card_id = c.id)"
    " FROM card_assignees a JOIN cards c ON c.id = a.card_id"
    " JOIN board_columns col ON col.id = c.column_id JOIN boards b ON b.id = c.board_id"
    " JOIN projects p ON p.id = b.project_id"
    " WHERE a.user_id = ? AND" OPEN_CARD
    " AND EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.user_id = ?)"
    " ORDER BY c.due_date IS NOT NULL AND c.due_date < UTC_DATE() DESC, c.due_date IS NULL,"
    " c.due_date, FIELD(c.priority, 'urgent', 'high', 'normal', 'low'), c.id LIMIT ?";
#define REMINDER_FROM                                                                              \
    " FROM cards c JOIN board_columns col ON col.id = c.column_id"                                 \
    " JOIN boards b ON b.id = c.board_id JOIN projects p ON p.id = b.project_id WHERE"
static const char sql_due_soon[] =
    "SELECT c.id, c.title, c.due_date, c.created_by, c.board_id" REMINDER_FROM OPEN_CARD
    " AND c.due_date BETWEEN UTC_DATE() AND UTC_DATE() + INTERVAL 1 DAY"
    " AND (c.due_soon_sent IS NULL OR c.due_soon_sent <> c.due_date) ORDER BY c.id LIMIT 200";
static const char sql_overdue[] =
    "SELECT c.id, c.title, c.due_date, c.created_by, c.board_id" REMINDER_FROM OPEN_CARD
    " AND c.due_date < UTC_DATE()"
    " AND (c.overdue_sent IS NULL OR c.overdue_sent <> c.due_date) ORDER BY c.id LIMIT 200";
/* Marks a reminder sent unless the card changed meanwhile: one winner per due date. */
static const char sql_mark_due_soon[] =
    "UPDATE cards SET due_soon_sent = due_date WHERE id = ? AND due_date = ?"
    " AND (due_soon_sent IS NULL OR due_soon_sent <> due_date)";
static const char sql_mark_overdue[] =
    "UPDATE cards SET overdue_sent = due_date WHERE id = ? AND due_date = ?"
    " AND (overdue_sent IS NULL OR overdue_sent <> due_date)";

/* ---------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------- */

static long long is_admin(struct req *r)
{
    return auth_is_employee(r, ROLE_ADMIN) ? 1 : 0;
}

static long long me(struct req *r)
{
    return r->session->user_id;
}

/* For a row read with an ALLOWED(...) column at allowed_col: answers 404 when there is
 * no row, 403 when the caller is not a member; returns that status, or 0 to go on. */
static int refuse(struct req *r, const struct db_res *res, int allowed_col, const char *missing)
{
    if (res->nrows == 0)
        return http_error(r, 404, "not_found", missing, NULL);
    if (!db_ll(res, 0, allowed_col))
        return http_error(r, 403, "forbidden", "You are not a member of this project", NULL);
    return 0;
}

/* Inside a transaction: may the caller work in project_id? Returns 0, the status of
 * the 404/403 it sent, or -1 on a database error (http_write retries those). */
static int project_checked(struct req *r, long long project_id)
{
    struct db_res *a =
        db_query(&r->arena, sql_project_access, "iii", is_admin(r), me(r), project_id);
    return a ? refuse(r, a, 1, "No such project") : -1;
}

/* 409 with the current state of the object, so the client can show what changed. Steals
 * current (may be NULL). Returns 409. */
static int conflict(struct req *r, const char *code, const char *message, const char *field,
                    json_t *current)
{
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (field)
        json_object_set_new(err, "field", json_string(field));
    r->error_code = code;
    return http_json(r, 409, json_pack("{s:o, s:o?}", "error", err, "current", current));
}

/* A sorted set of ids without duplicates, in a request's arena. */
struct idset {
    long long *v;
    int n;
};

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static void idset_normalize(struct idset *s)
{
    if (s->n < 2)
        return;
    qsort(s->v, (size_t)s->n, sizeof s->v[0], cmp_ll);
    int k = 1;
    for (int i = 1; i < s->n; i++)
        if (s->v[i] != s->v[k - 1])
            s->v[k++] = s->v[i];
    s->n = k;
}

static bool idset_has(const struct idset *s, long long id)
{
    return s->n && bsearch(&id, s->v, (size_t)s->n, sizeof s->v[0], cmp_ll) != NULL;
}

/* The ids in column 0 of rows, as a set in a. */
static struct idset idset_of(struct arena *a, const struct db_res *rows)
{
    struct idset s = {arena_alloc(a, sizeof(long long) * (size_t)(rows->nrows + 1)), 0};
    for (int i = 0; i < rows->nrows; i++)
        s.v[s.n++] = db_ll(rows, i, 0);
    idset_normalize(&s);
    return s;
}

/* JSON array text of a set, for JSON_TABLE (in a). */
static const char *idset_text(struct arena *a, const struct idset *s)
{
    size_t cap = 3 + (size_t)s->n * 21, n = 0;
    char *t = arena_alloc(a, cap);
    t[n++] = '[';
    for (int i = 0; i < s->n; i++)
        n += (size_t)snprintf(t + n, cap - n, "%s%lld", i ? "," : "", s->v[i]);
    t[n++] = ']';
    t[n] = '\0';
    return t;
}

/* The ids of a that are not in b, as a JSON array. */
static json_t *idset_minus(const struct idset *a, const struct idset *b)
{
    json_t *out = json_array();
    for (int i = 0; i < a->n; i++)
        if (!idset_has(b, a->v[i]))
            json_array_append_new(out, json_integer(a->v[i]));
    return out;
}

/* Reads v, the value of body[field] from HTTP_FIELDS (NULL when absent), as a list of at
 * most max positive ids into out (sorted, without duplicates). *present says whether the
 * field was there; null counts as []. Returns 0, or sends 400 naming the field and
 * returns -1. */
static int read_ids(struct req *r, json_t *v, const char *field, int max, struct idset *out,
                    bool *present)
{
    char msg[120];
    out->v = NULL;
    out->n = 0;
    if (present)
        *present = v != NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > (size_t)max) {
        snprintf(msg, sizeof msg, "%s must be a list of at most %d ids", field, max);
        http_error(r, 400, "validation_failed", msg, field);
        return -1;
    }
    out->v = arena_alloc(&r->arena, sizeof(long long) * (json_array_size(v) + 1));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) < 1) {
            snprintf(msg, sizeof msg, "%s must be a list of ids", field);
            http_error(r, 400, "validation_failed", msg, field);
            return -1;
        }
        out->v[out->n++] = json_integer_value(x);
    }
    idset_normalize(out);
    return 0;
}

/* A calendar date "YYYY-MM-DD" that exists (years 1970 to 9999). */
static bool valid_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

/* Today (UTC) plus days, as "YYYY-MM-DD". */
static void utc_date(char out[11], int plus_days)
{
    time_t t = time(NULL) + (time_t)plus_days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static bool valid_priority(const char *p)
{
    return p && (strcmp(p, "low") == 0 || strcmp(p, "normal") == 0 || strcmp(p, "high") == 0 ||
                 strcmp(p, "urgent") == 0);
}

static bool valid_color(const char *c)
{
    return c && strlen(c) == 7 && c[0] == '#' && strspn(c + 1, "0123456789abcdefABCDEF") == 6;
}

static json_t *user_json(const struct db_res *res, int i, int col)
{
    return json_pack("{s:I, s:s, s:s?}", "id", (json_int_t)db_ll(res, i, col), "name",
                     db_str(res, i, col + 1), "handle", db_str(res, i, col + 2));
}

/* {id, name, kind} of the account in columns col.. (NULL id: JSON null). */
static json_t *account_json(const struct db_res *res, int i, int col)
{
    if (!db_str(res, i, col))
        return json_null();
    return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_ll(res, i, col), "name",
                     db_str(res, i, col + 1), "kind", db_str(res, i, col + 2));
}

/* Appends to a card's history inside the caller's transaction; steals details. 0/-1. */
static int activity(long long card_id, long long actor_id, const char *kind, json_t *details)
{
    char *text = details ? json_dumps(details, JSON_COMPACT) : NULL;
    json_decref(details);
    int rc = db_exec(sql_activity_insert, "iIss", card_id, actor_id, kind, text ? text : "{}");
    free(text);
    return rc;
}

/* Recomputes the badges a board shows on a card (assignees, labels, checklist and
 * comment counts, and with files the number of attachments), in the caller's
 * transaction. 0/-1. */
static int refresh_badges(struct arena *a, long long card_id, bool files)
{
    long long count = -1;
    if (files) {
        struct db_res *f = files_for_owners(a, "card", arena_printf(a, "[%lld]", card_id));
        if (!f)
            return -1;
        count = f->nrows;
    }
    return db_exec(sql_card_badges, "iiiiiiii", card_id, card_id, card_id, card_id, card_id, count,
                   count, card_id);
}

/* Appends an event for the board's viewers to the outbox; steals payload. 0/-1. */
static int board_event(const char *type, long long board_id, json_t *payload)
{
    char audience[40];
    snprintf(audience, sizeof audience, "board:%lld", board_id);
    long long ev = outbox_append(type, audience, payload);
    json_decref(payload);
    return ev < 0 ? -1 : 0;
}

static int project_event(const char *type, long long project_id, json_t *payload)
{
    char audience[40];
    snprintf(audience, sizeof audience, "project:%lld", project_id);
    long long ev = outbox_append(type, audience, payload);
    json_decref(payload);
    return ev < 0 ? -1 : 0;
}

/* Creates a board with the three starting columns (To do, In progress, Done) in the
 * caller's transaction. Returns its id, or -1; the column ids go to cols when given. */
static long long board_insert(long long project_id, const char *name, int position,
                              long long cols[3])
{
    static const struct {
        const char *name;
        int done;
    } start[] = {{"To do", 0}, {"In progress", 0}, {"Done", 1}};
    if (db_exec(sql_board_insert, "isi", project_id, name, (long long)position) < 0)
        return -1;
    long long board = db_insert_id();
    for (int i = 0; i < 3; i++) {
        if (db_exec(sql_column_insert, "isiIi", board, start[i].name, (long long)(i + 1), 0LL,
                    (long long)start[i].done) < 0)
            return -1;
        if (cols)
            cols[i] = db_insert_id();
    }
    return board;
}

/* ---------------------------------------------------------------------------------------
 * Projects
 * ------------------------------------------------------------------------------------- */

/* Columns 0..10 of PROJECT_COLUMNS as JSON. */
static json_t *project_row_json(struct arena *a, const struct db_res *p, int i)
{
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:b, s:I, s:s, s:s, s:o, s:b}", "id", (json_int_t)db_ll(p, i, 0),
                  "name", db_str(p, i, 1), "description", db_str(p, i, 2), "archived",
                  db_ll(p, i, 3) != 0, "version", (json_int_t)db_ll(p, i, 4), "created_at",
                  db_time_iso(a, db_str(p, i, 5)), "updated_at", db_time_iso(a, db_str(p, i, 6)),
                  "account", account_json(p, i, 7), "member", db_ll(p, i, 10) != 0);
    return o;
}

static json_t *board_ref_json(const struct db_res *b, int i)
{
    return json_pack("{s:I, s:s, s:b, s:I}", "id", (json_int_t)db_ll(b, i, 0), "name",
                     db_str(b, i, 2), "archived", db_ll(b, i, 3) != 0, "position",
                     (json_int_t)db_ll(b, i, 4));
}

/* The whole project: members, boards, labels. NULL on a database error or when it is
 * gone (access was checked by the caller). */
static json_t *project_json(struct req *r, long long id)
{
    long long uid = me(r);
    struct db_res *p = db_query(&r->arena, sql_project, "iiii", uid, is_admin(r), uid, id);
    if (!p || p->nrows == 0)
        return NULL;
    struct db_res *m = db_query(&r->arena, sql_project_members, "i", id);
    struct db_res *b =
        m ? db_query(&r->arena, sql_project_boards, "s", arena_printf(&r->arena, "[%lld]", id))
          : NULL;
    struct db_res *l = b ? db_query(&r->arena, sql_project_labels, "i", id) : NULL;
    if (!l)
        return NULL;
    json_t *o = project_row_json(&r->arena, p, 0);
    json_object_set_new(o, "created_by", user_json(p, 0, 11));
    json_t *members = json_array(), *boards = json_array();
    for (int i = 0; i < m->nrows; i++)
        json_array_append_new(members, user_json(m, i, 0));
    for (int i = 0; i < b->nrows; i++)
        json_array_append_new(boards, board_ref_json(b, i));
    json_object_set_new(o, "members", members);
    json_object_set_new(o, "boards", boards);
    json_object_set_new(o, "labels", db_rows_json(l, "iss", &r->arena));
    return o;
}

static int send_project(struct req *r, int status, long long id)
{
    json_t *o = project_json(r, id);
    return o ? http_json(r, status, o) : http_db_error(r);
}

int boards_projects_list(struct req *r)
{
    const char *arch = http_query(r, "archived");
    long long with_archived = arch && (strcmp(arch, "1") == 0 || strcmp(arch, "true") == 0);
    long long uid = me(r);
    struct db_res *p =
        db_query(&r->arena, sql_projects, "iiii", uid, with_archived, is_admin(r), uid);
    if (!p)
        return http_db_error(r);
    struct idset ids = idset_of(&r->arena, p);
    struct db_res *b = db_query(&r->arena, sql_project_boards, "s", idset_text(&r->arena, &ids));
    if (!b)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < p->nrows; i++) {
        json_t *o = project_row_json(&r->arena, p, i);
        json_object_set_new(o, "member_count", json_integer(db_ll(p, i, 11)));
        json_t *boards = json_array();
        for (int k = 0; k < b->nrows; k++)
            if (db_ll(b, k, 1) == db_ll(p, i, 0))
                json_array_append_new(boards, board_ref_json(b, k));
        json_object_set_new(o, "boards", boards);
        json_array_append_new(items, o);
    }
    return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* Checks an account id (0 = none): 0, or sends 400/5xx and returns -1. */
static int check_account(struct req *r, long long account_id)
{
    if (!account_id)
        return 0;
    if (crm_account_kind(&r->arena, account_id))
        return 0;
    if (db_errno())
        http_db_error(r);
    else
        http_error(r, 400, "validation_failed", "No such account", "account_id");
    return -1;
}

/* Checks that every id of a set is an active employee: 0, or sends 400/5xx, -1. */
static int check_employees(struct req *r, const struct idset *ids, const char *field)
{
    if (!ids->n)
        return 0;
    struct db_res *e = db_query(&r->arena, sql_employees_in, "s", idset_text(&r->arena, ids));
    if (!e) {
        http_db_error(r);
        return -1;
    }
    if (e->nrows != ids->n) {
        http_error(r, 400, "validation_failed", "Members must be active employees", field);
        return -1;
    }
    return 0;
}

struct project_ctx {
    struct req *r;
    long long id, account_id, version;
    const char *name, *description, *board_name;
    int archived;
    bool has_name, has_description, has_account, has_archived, has_members;
    struct idset members;
};

static int project_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct project_ctx *c = arg;
    if (db_exec(sql_project_insert, "ssIi", c->name, c->description, c->account_id, me(r)) < 0)
        return -1;
    c->id = db_insert_id();
    if (db_exec(sql_member_add, "ii", c->id, me(r)) < 0)
        return -1;
    for (int i = 0; i < c->members.n; i++)
        if (db_exec(sql_member_add, "ii", c->id, c->members.v[i]) < 0)
            return -1;
    long long board = board_insert(c->id, c->board_name ? c->board_name : c->name, 1, NULL);
    if (board < 0)
        return -1;
    *change = (struct http_change){
        "project.create", "project", c->id,
        json_pack("{s:s, s:I}", "name", c->name, "board_id", (json_int_t)board)};
    return project_event(
        "project.created", c->id,
        json_pack("{s:I, s:I}", "project_id", (json_int_t)c->id, "board_id", (json_int_t)board));
}

int boards_project_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct project_ctx c = {.r = r, .description = ""};
    json_t *members = NULL;
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, true, 200, &c.name},
                    {"description", FIELD_TEXT, false, 2000, &c.description},
                    {"account_id", FIELD_ID, false, 0, &c.account_id},
                    {"board_name", FIELD_STRING, false, 200, &c.board_name},
                    {"members", FIELD_JSON, false, 0, &members}) < 0 ||
        read_ids(r, members, "members", MAX_MEMBERS, &c.members, NULL) < 0)
        return r->status;
    if (c.board_name && !*c.board_name)
        c.board_name = NULL;
    if (check_account(r, c.account_id) < 0 || check_employees(r, &c.members, "members") < 0)
        return r->status;
    int rc = http_write(r, project_create_tx, &c);
    if (rc)
        return rc;
    return send_project(r, 201, c.id);
}

int boards_project_get(struct req *r)
{
    long long id = http_param_id(r, "id");
    struct db_res *a =
        id ? db_query(&r->arena, sql_project_access, "iii", is_admin(r), me(r), id) : NULL;
    if (id && !a)
        return http_db_error(r);
    if (!a)
        return http_error(r, 404, "not_found", "No such project", NULL);
    int refused = refuse(r, a, 1, "No such project");
    return refused ? refused : send_project(r, 200, id);
}

/* Makes the project's members exactly `members`; someone removed is unassigned from
 * the project's cards. Notes the change in details. 0/-1. */
static int sync_members(struct req *r, long long project_id, const struct idset *members,
                        json_t *details)
{
    struct db_res *old = db_query(&r->arena, sql_members_of, "i", project_id);
    if (!old)
        return -1;
    struct idset was = idset_of(&r->arena, old);
    json_t *added = idset_minus(members, &was), *removed = idset_minus(&was, members);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(added); i++)
        rc =
            db_exec(sql_member_add, "ii", project_id, json_integer_value(json_array_get(added, i)));
    for (size_t i = 0; rc == 0 && i < json_array_size(removed); i++) {
        long long uid = json_integer_value(json_array_get(removed, i));
        if (db_exec(sql_member_remove, "ii", project_id, uid) < 0 ||
            db_exec(sql_left_activity, "iii", me(r), project_id, uid) < 0 ||
            db_exec(sql_left_bump, "ii", uid, project_id) < 0 ||
            db_exec(sql_unassign_left, "ii", project_id, uid) < 0 ||
            db_exec(sql_left_badges, "ii", project_id, uid) < 0)
            rc = -1;
    }
    if (rc == 0 && (json_array_size(added) || json_array_size(removed)))
        json_object_set_new(details, "members",
                            json_pack("{s:O, s:O}", "added", added, "removed", removed));
    json_decref(added);
    json_decref(removed);
    return rc < 0 ? -1 : 0;
}

static int project_update_tx(struct req *r, void *arg, struct http_change *change)
{
    struct project_ctx *c = arg;
    int refused = project_checked(r, c->id);
    if (refused)
        return refused;
    struct db_res *cur = db_query(&r->arena, sql_project_lock, "i", c->id);
    if (!cur || cur->nrows == 0)
        return -1;
    if (db_ll(cur, 0, 4) != c->version)
        return conflict(r, "conflict", "The project changed meanwhile; reload", "version",
                        project_json(r, c->id));
    json_t *details = json_object();
    *change = (struct http_change){"project.update", "project", c->id, details};
    const char *name = c->has_name ? c->name : db_str(cur, 0, 0);
    const char *description = c->has_description ? c->description : db_str(cur, 0, 1);
    long long account = c->has_account ? c->account_id : db_ll(cur, 0, 2);
    long long archived = c->has_archived ? c->archived : db_ll(cur, 0, 3);
    if (strcmp(name, db_str(cur, 0, 0)) != 0)
        json_object_set_new(details, "name", json_string(name));
    if (strcmp(description, db_str(cur, 0, 1)) != 0)
        json_object_set_new(details, "description", json_true());
    if (account != db_ll(cur, 0, 2))
        json_object_set_new(details, "account_id", account ? json_integer(account) : json_null());
    if (archived != db_ll(cur, 0, 3))
        json_object_set_new(details, "archived", json_boolean(archived));
    if (c->has_members && sync_members(r, c->id, &c->members, details) < 0)
        return -1;
    return db_exec(sql_project_update, "ssIiii", name, description, account, archived, c->id,
                   c->version) < 0 ||
                   project_event("project.updated", c->id,
                                 json_pack("{s:I, s:I}", "project_id", (json_int_t)c->id, "version",
                                           (json_int_t)(c->version + 1))) < 0
               ? -1
               : 0;
}

int boards_project_update(struct req *r)
{
    long long id = http_param_id(r, "id");
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct project_ctx c = {.r = r, .id = id};
    json_t *members = NULL, *account = NULL;
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, false, 200, &c.name, &c.has_name},
                    {"description", FIELD_TEXT, false, 2000, &c.description, &c.has_description},
                    {"archived", FIELD_BOOL, false, 0, &c.archived, &c.has_archived},
                    {"version", FIELD_INT, true, 0, &c.version},
                    {"members", FIELD_JSON, false, 0, &members},
                    {"account_id", FIELD_JSON, false, 0, &account}) < 0 ||
        read_ids(r, members, "members", MAX_MEMBERS, &c.members, &c.has_members) < 0)
        return r->status;
    if (c.has_name && !*c.name)
        return http_error(r, 400, "validation_failed", "name must not be empty", "name");
    if (account) {
        c.has_account = true;
        if (!json_is_null(account) &&
            (!json_is_integer(account) || (c.account_id = json_integer_value(account)) < 1))
            return http_error(r, 400, "validation_failed",
                              "account_id must be an account id or null", "account_id");
    }
    if (c.has_members && c.members.n == 0)
        return http_error(r, 400, "validation_failed", "A project keeps at least one member",
                          "members");
    if (!id)
        return http_error(r, 404, "not_found", "No such project", NULL);
    if (check_account(r, c.account_id) < 0 || check_employees(r, &c.members, "members") < 0)
        return r->status;
    int rc = http_write(r, project_update_tx, &c);
    if (rc)
        return rc;
    return send_project(r, 200, id);
}

/* ---------------------------------------------------------------------------------------
 * Labels
 * ------------------------------------------------------------------------------------- */

struct label_ctx {
    struct req *r;
    long long id, project_id;
    const char *name, *color;
    bool has_name, has_color, remove;
};

static int label_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct label_ctx *c = arg;
    int refused = project_checked(r, c->project_id);
    if (refused)
        return refused;
    struct db_res *n = db_query(&r->arena, sql_label_count, "i", c->project_id);
    if (!n)
        return -1;
    if (db_ll(n, 0, 0) >= MAX_LABELS)
        return http_error(r, 400, "validation_failed", "A project has at most 100 labels", "name");
    if (db_exec(sql_label_insert, "iss", c->project_id, c->name, c->color) < 0)
        return db_errno() == ER_DUP_ENTRY
                   ? conflict(r, "conflict", "The project has a label with this name", "name", NULL)
                   : -1;
    c->id = db_insert_id();
    *change = (struct http_change){
        "label.create", "label", c->id,
        json_pack("{s:I, s:s}", "project_id", (json_int_t)c->project_id, "name", c->name)};
    return project_event("project.labels", c->project_id,
                         json_pack("{s:I, s:I, s:s}", "project_id", (json_int_t)c->project_id,
                                   "label_id", (json_int_t)c->id, "action", "create"));
}

int boards_label_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct label_ctx c = {.r = r, .project_id = http_param_id(r, "id"), .color = "#808080"};
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, true, 50, &c.name},
                    {"color", FIELD_STRING, false, 7, &c.color}) < 0)
        return r->status;
    if (!valid_color(c.color))
        return http_error(r, 400, "validation_failed", "color must look like #1a2b3c", "color");
    if (!c.project_id)
        return http_error(r, 404, "not_found", "No such project", NULL);
    int rc = http_write(r, label_create_tx, &c);
    if (rc)
        return rc;
    return http_json(
        r, 201,
        json_pack("{s:I, s:s, s:s}", "id", (json_int_t)c.id, "name", c.name, "color", c.color));
}

static int label_change_tx(struct req *r, void *arg, struct http_change *change)
{
    struct label_ctx *c = arg;
    struct db_res *l = db_query(&r->arena, sql_label_get, "iii", is_admin(r), me(r), c->id);
    if (!l)
        return -1;
    int refused = refuse(r, l, 4, "No such label");
    if (refused)
        return refused;
    if (!c->has_name)
        c->name = db_str(l, 0, 2);
    if (!c->has_color)
        c->color = db_str(l, 0, 3);
    if (c->remove && (db_exec(sql_label_gone_activity, "ii", me(r), c->id) < 0 ||
                      db_exec(sql_label_gone_bump, "i", c->id) < 0))
        return -1;
    if (c->remove ? db_exec(sql_label_delete, "i", c->id) < 0 ||
                        db_exec(sql_label_gone_badges, "ii", db_ll(l, 0, 1), c->id) < 0
                  : db_exec(sql_label_update, "ssi", c->name, c->color, c->id) < 0)
        return db_errno() == ER_DUP_ENTRY
                   ? conflict(r, "conflict", "The project has a label with this name", "name", NULL)
                   : -1;
    *change = (struct http_change){
        c->remove ? "label.delete" : "label.update", "label", c->id,
        json_pack("{s:I, s:s}", "project_id", (json_int_t)db_ll(l, 0, 1), "name", db_str(l, 0, 2))};
    return project_event("project.labels", db_ll(l, 0, 1),
                         json_pack("{s:I, s:I, s:s}", "project_id", (json_int_t)db_ll(l, 0, 1),
                                   "label_id", (json_int_t)c->id, "action",
                                   c->remove ? "delete" : "update"));
}

int boards_label_update(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct label_ctx c = {.r = r, .id = http_param_id(r, "id")};
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, false, 50, &c.name, &c.has_name},
                    {"color", FIELD_STRING, false, 7, &c.color, &c.has_color}) < 0)
        return r->status;
    if (c.has_name && !*c.name)
        return http_error(r, 400, "validation_failed", "name must not be empty", "name");
    if (c.has_color && !valid_color(c.color))
        return http_error(r, 400, "validation_failed", "color must look like #1a2b3c", "color");
    if (!c.id)
        return http_error(r, 404, "not_found", "No such label", NULL);
    int rc = http_write(r, label_change_tx, &c);
    if (rc)
        return rc;
    return http_json(
        r, 200,
        json_pack("{s:I, s:s, s:s}", "id", (json_int_t)c.id, "name", c.name, "color", c.color));
}

int boards_label_delete(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    struct label_ctx c = {.r = r, .id = http_param_id(r, "id"), .remove = true};
    if (!c.id)
        return http_error(r, 404, "not_found", "No such label", NULL);
    int rc = http_write(r, label_change_tx, &c);
    if (rc)
        return rc;
    return http_send(r, 204, "application/json", "Cache-Control: no-store\r\n", "", 0);
}

/* ---------------------------------------------------------------------------------------
 * Boards and columns
 * ------------------------------------------------------------------------------------- */

/* Loads a board with its project and the caller's right to it (columns of
 * sql_board_head). NULL when refused or on a database error, the answer sent. */
static struct db_res *load_board(struct req *r, long long id)
{
    struct db_res *h =
        id ? db_query(&r->arena, sql_board_head, "iii", is_admin(r), me(r), id) : NULL;
    if (id && !h) {
        http_db_error(r);
        return NULL;
    }
    if (!h) {
        http_error(r, 404, "not_found", "No such board", NULL);
        return NULL;
    }
    return refuse(r, h, 9, "No such board") ? NULL : h;
}

/* A column from a row of sql_columns or sql_board_columns, with its open cards. */
static json_t *column_json(const struct db_res *c, int i, long long card_count)
{
    return json_pack("{s:I, s:s, s:I, s:o, s:b, s:b, s:I}", "id", (json_int_t)db_ll(c, i, 0),
                     "name", db_str(c, i, 1), "position", (json_int_t)db_ll(c, i, 2), "wip_limit",
                     db_str(c, i, 3) ? json_integer(db_ll(c, i, 3)) : json_null(), "done",
                     db_ll(c, i, 4) != 0, "archived", db_ll(c, i, 5) != 0, "card_count",
                     (json_int_t)card_count);
}

/* {"columns": [every column of the board, archived ones flagged]}, or NULL. */
static json_t *columns_json(struct req *r, long long board_id)
{
    struct db_res *c = db_query(&r->arena, sql_columns, "i", board_id);
    if (!c)
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < c->nrows; i++)
        json_array_append_new(arr, column_json(c, i, db_ll(c, i, 6)));
    return json_pack("{s:o}", "columns", arr);
}

struct board_filter {
    long long assignee, label, archived;
    int unassigned, no_due;
    bool overdue;          /* leave out cards in "done" columns too */
    const char *from, *to; /* due date range, NULL = open */
    char dates[2][11];
};

/* The query string of GET /boards/{id}: assignee=ID|me|none, label=ID,
 * due=overdue|today|tomorrow|week|none|any, due_from=, due_to= (YYYY-MM-DD),
 * archived=1 (the archived cards instead). 0, or sends 400 and returns -1. */
static int read_filter(struct req *r, struct board_filter *f)
{
    memset(f, 0, sizeof *f);
    const char *assignee = http_query(r, "assignee"), *label = http_query(r, "label"),
               *due = http_query(r, "due"), *from = http_query(r, "due_from"),
               *to = http_query(r, "due_to"), *archived = http_query(r, "archived");
    char *end;
    if (assignee && *assignee) {
        if (strcmp(assignee, "me") == 0)
            f->assignee = me(r);
        else if (strcmp(assignee, "none") == 0)
            f->unassigned = 1;
        else if ((f->assignee = strtoll(assignee, &end, 10)) < 1 || *end)
            return http_error(r, 400, "validation_failed", "assignee must be a user id, me or none",
                              "assignee"),
                   -1;
    }
    if (label && *label && ((f->label = strtoll(label, &end, 10)) < 1 || *end))
        return http_error(r, 400, "validation_failed", "label must be a label id", "label"), -1;
    if (from && *from) {
        if (!valid_date(from))
            return http_error(r, 400, "validation_failed", "due_from must be a date (YYYY-MM-DD)",
                              "due_from"),
                   -1;
        f->from = from;
    }
    if (to && *to) {
        if (!valid_date(to))
            return http_error(r, 400, "validation_failed", "due_to must be a date (YYYY-MM-DD)",
                              "due_to"),
                   -1;
        f->to = to;
    }
    if (due && *due) {
        if (strcmp(due, "overdue") == 0) {
            utc_date(f->dates[1], -1);
            f->to = f->dates[1];
            f->overdue = true;
        } else if (strcmp(due, "today") == 0 || strcmp(due, "tomorrow") == 0) {
            utc_date(f->dates[0], due[1] == 'o' && due[2] == 'm' ? 1 : 0);
            f->from = f->to = f->dates[0];
        } else if (strcmp(due, "week") == 0) {
            utc_date(f->dates[0], 0);
            utc_date(f->dates[1], 7);
            f->from = f->dates[0];
            f->to = f->dates[1];
        } else if (strcmp(due, "none") == 0) {
            f->no_due = 1;
        } else if (strcmp(due, "any") == 0) {
            f->from = "1970-01-01";
        } else {
            return http_error(r, 400, "validation_failed",
                              "due must be overdue, today, tomorrow, week, none or any", "due"),
                   -1;
        }
    }
    f->archived = archived && (strcmp(archived, "1") == 0 || strcmp(archived, "true") == 0);
    return 0;
}

/* A board of thousands of cards is the largest answer the portal gives, and building it
 * as jansson values and dumping them took longer than its queries. So the card list is
 * written straight from the rows with jsonw; the small parts around it still go
 * through jansson. */

/* A GROUP_CONCAT list of ids ("3,5") as a JSON array; only digits and commas get in. */
static void card_ids(struct jsonw *w, const char *csv)
{
    jsonw_arr_begin(w);
    if (csv && strspn(csv, "0123456789,") == strlen(csv))
        jsonw_raw(w, csv, strlen(csv));
    jsonw_arr_end(w);
}

/* One card of a board view, from a row of sql_board_cards. */
static void card_write(struct jsonw *w, const struct db_res *cards, int i, bool overdue)
{
    char *const *row = cards->rows[i];
    jsonw_obj_begin(w);
    jsonw_key(w, "id");
    jsonw_int_text(w, row[0]);
    jsonw_key(w, "column_id");
    jsonw_int_text(w, row[1]);
    jsonw_key(w, "title");
    jsonw_str(w, row[2]);
    jsonw_key(w, "priority");
    jsonw_str(w, row[3]);
    jsonw_key(w, "due_date");
    jsonw_str(w, row[4]);
    jsonw_key(w, "overdue");
    jsonw_bool(w, overdue);
    jsonw_key(w, "archived");
    jsonw_bool(w, db_ll(cards, i, 5) != 0);
    jsonw_key(w, "version");
    jsonw_int_text(w, row[6]);
    jsonw_key(w, "has_description");
    jsonw_bool(w, db_ll(cards, i, 7) != 0);
    jsonw_key(w, "assignees");
    card_ids(w, row[8]);
    jsonw_key(w, "labels");
    card_ids(w, row[9]);
    jsonw_key(w, "checklist");
    jsonw_obj_begin(w);
    jsonw_key(w, "total");
    jsonw_int_text(w, row[10]);
    jsonw_key(w, "done");
    jsonw_int_text(w, row[11]);
    jsonw_obj_end(w);
    jsonw_key(w, "comment_count");
    jsonw_int_text(w, row[12]);
    jsonw_key(w, "file_count");
    jsonw_int_text(w, row[13]);
    jsonw_obj_end(w);
}

/* Sends a board as its viewers see it: project, members, labels, the columns in order
 * with their cards in order, and the archived columns. Four queries whatever the
 * number of cards. Returns the status sent. */
/* A card row of a board view, ordered by column, then key. */
struct card_row {
    long long column, key;
    int row;
};

static int cmp_card_row(const void *a, const void *b)
{
    const struct card_row *x = a, *y = b;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

static bool filtered(const struct board_filter *f)
{
    return f->assignee || f->label || f->archived || f->unassigned || f->no_due || f->from || f->to;
}

/* Sends a board as its viewers see it: project, members, labels, the columns in order
 * with their cards in order, and the archived columns. Four queries whatever the
 * number of cards (five with a filter). Returns the status sent. */
static int send_board_view(struct req *r, int status, const struct db_res *head,
                           const struct board_filter *f)
{
    long long id = db_ll(head, 0, 0), project = db_ll(head, 0, 3);
    struct db_res *cols = db_query(&r->arena, sql_board_columns, "i", id);
    struct db_res *cards =
        cols ? db_query(&r->arena, sql_board_cards, "iiIIiIIissss", id, f->archived, f->assignee,
                        f->assignee, (long long)f->unassigned, f->label, f->label,
                        (long long)f->no_due, f->from, f->from, f->to, f->to)
             : NULL;
    struct db_res *counts =
        cards && filtered(f) ? db_query(&r->arena, sql_board_column_counts, "i", id) : cards;
    struct db_res *members = counts ? db_query(&r->arena, sql_project_members, "i", project) : NULL;
    struct db_res *labels = members ? db_query(&r->arena, sql_project_labels, "i", project) : NULL;
    if (!labels)
        return http_db_error(r);

    struct card_row *order = arena_alloc(&r->arena, sizeof *order * (size_t)(cards->nrows + 1));
    for (int i = 0; i < cards->nrows; i++)
        order[i] = (struct card_row){db_ll(cards, i, 1), db_ll(cards, i, 14), i};
    qsort(order, (size_t)cards->nrows, sizeof *order, cmp_card_row);
    /* Open cards per column: counted from the rows, or asked for when filtered. */
    long long *open = arena_alloc(&r->arena, sizeof(long long) * (size_t)(cols->nrows + 1));
    for (int ci = 0; ci < cols->nrows; ci++) {
        open[ci] = 0;
        if (counts != cards) {
            for (int k = 0; k < counts->nrows; k++)
                if (db_ll(counts, k, 0) == db_ll(cols, ci, 0))
                    open[ci] = db_ll(counts, k, 1);
            continue;
        }
        for (int k = 0; k < cards->nrows; k++)
            open[ci] += order[k].column == db_ll(cols, ci, 0);
    }

    json_t *m = json_array(), *archived_columns = json_array();
    for (int i = 0; i < members->nrows; i++)
        json_array_append_new(m, user_json(members, i, 0));
    for (int i = 0; i < cols->nrows; i++)
        if (db_ll(cols, i, 5))
            json_array_append_new(archived_columns, column_json(cols, i, open[i]));
    struct jsonw w;
    jsonw_init(&w, NULL); /* heap: a big board grows by realloc, not by copies in the arena */
    json_t *top = json_pack(
        "{s:I, s:s, s:b, s:{s:I, s:s, s:b, s:o}, s:o, s:o, s:o}", "id", (json_int_t)id, "name",
        db_str(head, 0, 1), "archived", db_ll(head, 0, 2) != 0, "project", "id",
        (json_int_t)project, "name", db_str(head, 0, 4), "archived", db_ll(head, 0, 5) != 0,
        "account", account_json(head, 0, 6), "members", m, "labels",
        db_rows_json(labels, "iss", &r->arena), "archived_columns", archived_columns);
    jsonw_obj_open(&w, top);
    json_decref(top);
    jsonw_key(&w, "columns");
    jsonw_arr_begin(&w);
    char today[11];
    utc_date(today, 0);
    for (int ci = 0; ci < cols->nrows; ci++) {
        if (db_ll(cols, ci, 5))
            continue; /* an archived column's cards are out of sight with it */
        long long col = db_ll(cols, ci, 0);
        bool done = db_ll(cols, ci, 4) != 0;
        json_t *column = column_json(cols, ci, open[ci]);
        jsonw_obj_open(&w, column);
        json_decref(column);
        jsonw_key(&w, "cards");
        jsonw_arr_begin(&w);
        int lo = 0, hi = cards->nrows; /* the column's run of rows */
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (order[mid].column < col)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (int k = lo; k < cards->nrows && order[k].column == col; k++) {
            const char *due = db_str(cards, order[k].row, 4);
            if (f->overdue && done)
                continue;
            card_write(&w, cards, order[k].row, due && !done && strcmp(due, today) < 0);
        }
        jsonw_arr_end(&w);
        jsonw_obj_end(&w);
    }
    jsonw_arr_end(&w);
    jsonw_obj_end(&w);
    size_t len;
    const char *text = jsonw_finish(&w, &len);
    int rc =
        !text ? http_error(r, 503, "service_unavailable", "Out of memory, try again", NULL)
              : http_send(r, status, "application/json", "Cache-Control: no-store\r\n", text, len);
    jsonw_cleanup(&w);
    return rc;
}

int boards_board_get(struct req *r)
{
    struct board_filter f;
    struct db_res *head = load_board(r, http_param_id(r, "id"));
    if (!head || read_filter(r, &f) < 0)
        return r->status;
    return send_board_view(r, 200, head, &f);
}

static int send_board(struct req *r, int status, long long id)
{
    struct board_filter f;
    memset(&f, 0, sizeof f);
    struct db_res *head = load_board(r, id);
    return head ? send_board_view(r, status, head, &f) : r->status;
}

struct board_ctx {
    struct req *r;
    long long id, project_id, column_id, wip_limit;
    const char *name;
    int archived, done;
    bool has_name, has_archived, has_wip, has_done;
    json_t *order; /* column ids, for a reorder */
};

static int board_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct board_ctx *c = arg;
    int refused = project_checked(r, c->project_id);
    if (refused)
        return refused;
    struct db_res *n = db_query(&r->arena, sql_board_count, "i", c->project_id);
    if (!n)
        return -1;
    if (db_ll(n, 0, 0) >= MAX_BOARDS)
        return http_error(r, 400, "validation_failed", "A project has at most 50 boards", "name");
    if ((c->id = board_insert(c->project_id, c->name, (int)db_ll(n, 0, 1) + 1, NULL)) < 0)
        return -1;
    *change = (struct http_change){
        "board.create", "board", c->id,
        json_pack("{s:I, s:s}", "project_id", (json_int_t)c->project_id, "name", c->name)};
    return project_event("board.created", c->project_id,
                         json_pack("{s:I, s:I}", "project_id", (json_int_t)c->project_id,
                                   "board_id", (json_int_t)c->id));
}

int boards_board_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct board_ctx c = {.r = r, .project_id = http_param_id(r, "id")};
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, true, 200, &c.name}) < 0)
        return r->status;
    if (!c.project_id)
        return http_error(r, 404, "not_found", "No such project", NULL);
    int rc = http_write(r, board_create_tx, &c);
    if (rc)
        return rc;
    return send_board(r, 201, c.id);
}

static int board_update_tx(struct req *r, void *arg, struct http_change *change)
{
    struct board_ctx *c = arg;
    if (!load_board(r, c->id))
        return r->status ? r->status : -1;
    if (db_exec(sql_board_update, "siii", c->has_name ? c->name : NULL, (long long)c->has_archived,
                (long long)c->archived, c->id) < 0 ||
        board_event("board.updated", c->id, json_pack("{s:I}", "board_id", (json_int_t)c->id)) < 0)
        return -1;
    json_t *details = json_object();
    if (c->has_name)
        json_object_set_new(details, "name", json_string(c->name));
    if (c->has_archived)
        json_object_set_new(details, "archived", json_boolean(c->archived));
    *change = (struct http_change){"board.update", "board", c->id, details};
    return 0;
}

int boards_board_update(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct board_ctx c = {.r = r, .id = http_param_id(r, "id")};
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, false, 200, &c.name, &c.has_name},
                    {"archived", FIELD_BOOL, false, 0, &c.archived, &c.has_archived}) < 0)
        return r->status;
    if (c.has_name && !*c.name)
        return http_error(r, 400, "validation_failed", "name must not be empty", "name");
    int rc = http_write(r, board_update_tx, &c);
    if (rc)
        return rc;
    return send_board(r, 200, c.id);
}

/* After a column change: the board's columns, or the database error. */
static int send_columns(struct req *r, int status, long long board_id)
{
    json_t *o = columns_json(r, board_id);
    return o ? http_json(r, status, o) : http_db_error(r);
}

/* The board's event for a column change, and its audit entry (column.<action>) in
 * *change; steals details. 0/-1. */
static int column_event(struct req *r, struct http_change *change, const char *action,
                        long long board_id, long long column_id, json_t *details)
{
    *change = (struct http_change){arena_printf(&r->arena, "column.%s", action), "column",
                                   column_id, details};
    return board_event("board.columns", board_id,
                       json_pack("{s:I, s:I, s:s}", "board_id", (json_int_t)board_id, "column_id",
                                 (json_int_t)column_id, "action", action));
}

static int column_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct board_ctx *c = arg;
    if (!load_board(r, c->id) || !db_query(&r->arena, sql_board_lock, "i", c->id))
        return r->status ? r->status : -1;
    struct db_res *n = db_query(&r->arena, sql_column_count, "i", c->id);
    if (!n)
        return -1;
    if (db_ll(n, 0, 0) >= MAX_COLUMNS)
        return http_error(r, 400, "validation_failed", "A board has at most 50 columns", "name");
    if (db_exec(sql_column_insert, "isiIi", c->id, c->name, db_ll(n, 0, 1) + 1, c->wip_limit,
                (long long)c->done) < 0)
        return -1;
    c->column_id = db_insert_id();
    return column_event(r, change, "create", c->id, c->column_id,
                        json_pack("{s:I, s:s}", "board_id", (json_int_t)c->id, "name", c->name));
}

/* wip_limit (w, from HTTP_FIELDS; NULL when absent): a whole number from 1 to 10000, or
 * null for none. 0, or 400 and -1. */
static int read_wip(struct req *r, json_t *w, struct board_ctx *c)
{
    c->has_wip = w != NULL;
    c->wip_limit = 0;
    if (!w || json_is_null(w))
        return 0;
    if (!json_is_integer(w) || json_integer_value(w) < 1 || json_integer_value(w) > 10000) {
        http_error(r, 400, "validation_failed",
                   "wip_limit must be a number from 1 to 10000 or null", "wip_limit");
        return -1;
    }
    c->wip_limit = json_integer_value(w);
    return 0;
}

int boards_column_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct board_ctx c = {.r = r, .id = http_param_id(r, "id")};
    json_t *wip = NULL;
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, true, 100, &c.name},
                    {"done", FIELD_BOOL, false, 0, &c.done},
                    {"wip_limit", FIELD_JSON, false, 0, &wip}) < 0 ||
        read_wip(r, wip, &c) < 0)
        return r->status;
    int rc = http_write(r, column_create_tx, &c);
    if (rc)
        return rc;
    return send_columns(r, 201, c.id);
}

static int column_update_tx(struct req *r, void *arg, struct http_change *change)
{
    struct board_ctx *c = arg;
    if (!load_board(r, c->id))
        return r->status ? r->status : -1;
    struct db_res *col = db_query(&r->arena, sql_column_lock, "i", c->column_id);
    if (!col)
        return -1;
    if (col->nrows == 0 || db_ll(col, 0, 1) != c->id)
        return http_error(r, 404, "not_found", "No such column on this board", NULL);
    long long archived = c->has_archived ? c->archived : db_ll(col, 0, 5);
    if (archived && !db_ll(col, 0, 5)) {
        struct db_res *n = db_query(&r->arena, sql_column_count, "i", c->id);
        if (!n)
            return -1;
        if (db_ll(n, 0, 2) <= 1)
            return http_error(r, 400, "validation_failed", "A board keeps at least one column",
                              "archived");
    }
    json_t *details = json_object();
    if (c->has_name)
        json_object_set_new(details, "name", json_string(c->name));
    if (c->has_wip)
        json_object_set_new(details, "wip_limit",
                            c->wip_limit ? json_integer(c->wip_limit) : json_null());
    if (c->has_done)
        json_object_set_new(details, "done", json_boolean(c->done));
    if (c->has_archived)
        json_object_set_new(details, "archived", json_boolean(c->archived));
    if (db_exec(sql_column_update, "sIiii", c->has_name ? c->name : db_str(col, 0, 2),
                c->has_wip ? c->wip_limit : db_ll(col, 0, 3),
                c->has_done ? (long long)c->done : db_ll(col, 0, 4), archived, c->column_id) < 0) {
        json_decref(details);
        return -1;
    }
    return column_event(r, change, "update", c->id, c->column_id, details);
}

int boards_column_update(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct board_ctx c = {
        .r = r, .id = http_param_id(r, "id"), .column_id = http_param_id(r, "column_id")};
    json_t *wip = NULL;
    if (HTTP_FIELDS(r, body, {"name", FIELD_STRING, false, 100, &c.name, &c.has_name},
                    {"done", FIELD_BOOL, false, 0, &c.done, &c.has_done},
                    {"archived", FIELD_BOOL, false, 0, &c.archived, &c.has_archived},
                    {"wip_limit", FIELD_JSON, false, 0, &wip}) < 0 ||
        read_wip(r, wip, &c) < 0)
        return r->status;
    if (c.has_name && !*c.name)
        return http_error(r, 400, "validation_failed", "name must not be empty", "name");
    if (!c.column_id)
        return http_error(r, 404, "not_found", "No such column on this board", NULL);
    int rc = http_write(r, column_update_tx, &c);
    if (rc)
        return rc;
    return send_columns(r, 200, c.id);
}

static int columns_reorder_tx(struct req *r, void *arg, struct http_change *change)
{
    struct board_ctx *c = arg;
    if (!load_board(r, c->id) || !db_query(&r->arena, sql_board_lock, "i", c->id))
        return r->status ? r->status : -1;
    struct db_res *cols = db_query(&r->arena, sql_columns, "i", c->id);
    if (!cols)
        return -1;
    int active = 0;
    for (int i = 0; i < cols->nrows; i++)
        active += db_ll(cols, i, 5) == 0;
    /* The list names every live column once; archived ones keep their place after it. */
    size_t i;
    json_t *v;
    bool ok = json_array_size(c->order) == (size_t)active;
    json_array_foreach(c->order, i, v)
    {
        int k;
        for (k = 0; k < cols->nrows && db_ll(cols, k, 0) != json_integer_value(v); k++)
            ;
        if (k == cols->nrows || db_ll(cols, k, 5))
            ok = false;
        for (size_t j = 0; j < i; j++)
            if (json_integer_value(json_array_get(c->order, j)) == json_integer_value(v))
                ok = false;
    }
    if (!ok)
        return http_error(r, 400, "validation_failed",
                          "column_ids must list every active column of the board once",
                          "column_ids");
    for (i = 0; i < json_array_size(c->order); i++)
        if (db_exec(sql_column_position, "iii", (long long)i + 1,
                    json_integer_value(json_array_get(c->order, i)), c->id) < 0)
            return -1;
    long long pos = active;
    for (int k = 0; k < cols->nrows; k++)
        if (db_ll(cols, k, 5) &&
            db_exec(sql_column_position, "iii", ++pos, db_ll(cols, k, 0), c->id) < 0)
            return -1;
    return column_event(r, change, "reorder", c->id, 0, json_pack("{s:O}", "column_ids", c->order));
}

int boards_columns_reorder(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct board_ctx c = {.r = r, .id = http_param_id(r, "id")};
    if (HTTP_FIELDS(r, body, {"column_ids", FIELD_JSON, false, 0, &c.order}) < 0)
        return r->status;
    size_t i;
    json_t *v;
    bool ok = json_is_array(c.order) && json_array_size(c.order) <= MAX_COLUMNS;
    json_array_foreach(c.order, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            ok = false;
    }
    if (!ok)
        return http_error(r, 400, "validation_failed", "column_ids must be a list of column ids",
                          "column_ids");
    int rc = http_write(r, columns_reorder_tx, &c);
    if (rc)
        return rc;
    return send_columns(r, 200, c.id);
}

/* ---------------------------------------------------------------------------------------
 * Cards: reading
 * ------------------------------------------------------------------------------------- */

/* Looks a card up with the caller's right to it (columns of sql_card_access: board_id,
 * project_id, column_id, allowed). NULL when refused or on a database error, the answer
 * sent (for use outside a transaction). */
static struct db_res *load_card(struct req *r, long long id)
{
    struct db_res *c =
        id ? db_query(&r->arena, sql_card_access, "iii", is_admin(r), me(r), id) : NULL;
    if (id && !c) {
        http_db_error(r);
        return NULL;
    }
    if (!c) {
        http_error(r, 404, "not_found", "No such card", NULL);
        return NULL;
    }
    return refuse(r, c, 3, "No such card") ? NULL : c;
}

static json_t *comment_json(struct arena *a, const struct db_res *m, int i)
{
    return json_pack("{s:I, s:o, s:s, s:s, s:s}", "id", (json_int_t)db_ll(m, i, 0), "author",
                     user_json(m, i, 4), "body", db_str(m, i, 1), "html", db_str(m, i, 2),
                     "created_at", db_time_iso(a, db_str(m, i, 3)));
}

/* The whole card: assignees, labels, checklist, comments, files. Six queries. NULL on a
 * database error or when the card is gone (access was checked by the caller). */
static json_t *card_json(struct req *r, long long id)
{
    struct arena *a = &r->arena;
    struct db_res *c = db_query(a, sql_card, "i", id);
    if (!c || c->nrows == 0)
        return NULL;
    struct db_res *as = db_query(a, sql_card_assignees, "i", id);
    struct db_res *ls = as ? db_query(a, sql_card_labels, "i", id) : NULL;
    struct db_res *ck = ls ? db_query(a, sql_card_checklist, "i", id) : NULL;
    struct db_res *cm = ck ? db_query(a, sql_card_comments, "i", id) : NULL;
    struct db_res *fs = cm ? files_for_owners(a, "card", arena_printf(a, "[%lld]", id)) : NULL;
    if (!fs)
        return NULL;
    char today[11];
    utc_date(today, 0);
    const char *due = db_str(c, 0, 12);
    bool done_col = db_ll(c, 0, 7) != 0;
    json_t *o = json_pack(
        "{s:I, s:{s:I, s:s}, s:{s:I, s:s}, s:I, s:{s:I, s:s, s:b}, s:s, s:s, s:s, s:s, s:s?,"
        " s:b, s:b, s:I, s:s, s:s, s:o}",
        "id", (json_int_t)id, "board", "id", (json_int_t)db_ll(c, 0, 1), "name", db_str(c, 0, 2),
        "project", "id", (json_int_t)db_ll(c, 0, 3), "name", db_str(c, 0, 4), "column_id",
        (json_int_t)db_ll(c, 0, 5), "column", "id", (json_int_t)db_ll(c, 0, 5), "name",
        db_str(c, 0, 6), "done", done_col, "title", db_str(c, 0, 8), "description", db_str(c, 0, 9),
        "description_html", db_str(c, 0, 10), "priority", db_str(c, 0, 11), "due_date", due,
        "overdue", due && !done_col && strcmp(due, today) < 0, "archived", db_ll(c, 0, 13) != 0,
        "version", (json_int_t)db_ll(c, 0, 14), "created_at", db_time_iso(a, db_str(c, 0, 15)),
        "updated_at", db_time_iso(a, db_str(c, 0, 16)), "created_by", user_json(c, 0, 17));
    json_t *assignees = json_array(), *checklist = json_array(), *comments = json_array();
    for (int i = 0; i < as->nrows; i++)
        json_array_append_new(assignees, user_json(as, i, 0));
    int done = 0;
    for (int i = 0; i < ck->nrows; i++) {
        done += db_ll(ck, i, 2) != 0;
        json_array_append_new(checklist,
                              json_pack("{s:I, s:s, s:b}", "id", (json_int_t)db_ll(ck, i, 0),
                                        "text", db_str(ck, i, 1), "done", db_ll(ck, i, 2) != 0));
    }
    for (int i = 0; i < cm->nrows; i++)
        json_array_append_new(comments, comment_json(a, cm, i));
    json_object_set_new(o, "assignees", assignees);
    json_object_set_new(o, "labels", db_rows_json(ls, "iss", a));
    json_object_set_new(o, "checklist", checklist);
    json_object_set_new(
        o, "checklist_summary",
        json_pack("{s:I, s:I}", "total", (json_int_t)ck->nrows, "done", (json_int_t)done));
    json_object_set_new(o, "comments", comments);
    json_object_set_new(o, "files", files_json_for(fs, id));
    return o;
}

static int send_card(struct req *r, int status, long long id)
{
    json_t *o = card_json(r, id);
    return o ? http_json(r, status, o) : http_db_error(r);
}

int boards_card_get(struct req *r)
{
    long long id = http_param_id(r, "id");
    return load_card(r, id) ? send_card(r, 200, id) : r->status;
}

int boards_card_activity(struct req *r)
{
    long long id = http_param_id(r, "id");
    int limit;
    long long before;
    if (http_page_args(r, 50, 200, &limit, &before) < 0 || !load_card(r, id))
        return r->status;
    struct db_res *a =
        db_query(&r->arena, sql_activity_list, "iiii", id, before, before, (long long)limit);
    if (!a)
        return http_db_error(r);
    json_t *items = json_array();
    for (int i = 0; i < a->nrows; i++) {
        json_t *o = db_row_json(a, i, "isjt", &r->arena);
        json_object_set_new(o, "actor", db_str(a, i, 4) ? user_json(a, i, 4) : json_null());
        json_array_append_new(items, o);
    }
    json_t *out = json_pack("{s:o}", "items", items);
    if (a->nrows == limit)
        json_object_set_new(out, "next_before", json_integer(db_ll(a, a->nrows - 1, 0)));
    return http_json(r, 200, out);
}

/* ---------------------------------------------------------------------------------------
 * Cards: input
 * ------------------------------------------------------------------------------------- */

struct check_item {
    long long id; /* 0: a new item */
    const char *text;
    int done;
};

struct card_input {
    const char *title, *description, *priority, *due_date, *position;
    bool has_title, has_description, has_priority, has_due, has_archived, has_assignees, has_labels,
        has_checklist;
    int archived, nitems;
    long long column_id, version;
    struct idset assignees, labels, files;
    struct check_item *items;
    char *html; /* the rendered description (malloc'd; card_input_cleanup frees it) */
};

static void card_input_cleanup(struct card_input *in)
{
    free(in->html);
    in->html = NULL;
}

/* A checklist item's text: trimmed, 1 to 500 characters, no NUL. In r's arena or NULL. */
static const char *item_text(struct req *r, json_t *v)
{
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *t = arena_strndup(&r->arena, s, n);
    size_t chars = 0;
    for (const char *p = t; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    return n && chars <= 500 ? t : NULL;
}

/* "checklist" (v, from HTTP_FIELDS; NULL when absent): [text | {id?, text, done?}, ...], at
 * most MAX_CHECKLIST. 0, or 400, -1. */
static int read_checklist(struct req *r, json_t *v, struct card_input *in)
{
    in->has_checklist = v != NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return http_error(r, 400, "validation_failed", "checklist must be a list of items",
                          "checklist"),
               -1;
    if (json_array_size(v) > MAX_CHECKLIST)
        return http_error(r, 400, "validation_failed", "A card has at most 100 checklist items",
                          "checklist"),
               -1;
    in->items = arena_alloc(&r->arena, sizeof *in->items * (json_array_size(v) + 1));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        struct check_item *it = &in->items[in->nitems++];
        json_t *text = x, *done = NULL, *id = NULL;
        if (json_is_object(x) &&
            HTTP_ITEM_FIELDS(r, x, "checklist", i, {"id", FIELD_JSON, false, 0, &id},
                             {"text", FIELD_JSON, false, 0, &text},
                             {"done", FIELD_JSON, false, 0, &done}) < 0)
            return -1;
        if (text == x && json_is_object(x))
            text = NULL; /* an object without a text */
        it->text = item_text(r, text);
        it->done = json_is_true(done);
        it->id = json_is_integer(id) ? json_integer_value(id) : 0;
        if (!it->text || (done && !json_is_boolean(done) && !json_is_null(done)) ||
            (id && !json_is_null(id) && (!json_is_integer(id) || it->id < 1)))
            return http_error(r, 400, "validation_failed",
                              "Each checklist item needs a text of 1 to 500 characters "
                              "(and may have an id and done: true or false)",
                              "checklist"),
                   -1;
    }
    return 0;
}

/* Validates a card body for create (true) or PATCH. 0, or sends 4xx and returns -1. */
static int read_card_input(struct req *r, json_t *body, struct card_input *in, bool create)
{
    json_t *due = NULL, *assignees = NULL, *labels = NULL, *files = NULL, *checklist = NULL;
    memset(in, 0, sizeof *in);
    if (HTTP_FIELDS(
            r, body, {"title", FIELD_STRING, create, 300, &in->title, &in->has_title},
            {"description", FIELD_TEXT, false, 300000, &in->description, &in->has_description},
            {"priority", FIELD_STRING, false, 16, &in->priority, &in->has_priority},
            {"column_id", FIELD_ID, false, 0, &in->column_id},
            {"position", FIELD_STRING, false, 16, &in->position},
            {"archived", FIELD_BOOL, false, 0, &in->archived, &in->has_archived},
            {"version", FIELD_INT, !create, 0, &in->version},
            {"due_date", FIELD_JSON, false, 0, &due},
            {"assignees", FIELD_JSON, false, 0, &assignees},
            {"labels", FIELD_JSON, false, 0, &labels}, {"files", FIELD_JSON, false, 0, &files},
            {"checklist", FIELD_JSON, false, 0, &checklist}) < 0)
        return -1;
    if (in->has_title && !*in->title)
        return http_error(r, 400, "validation_failed", "title must not be empty", "title"), -1;
    if (in->has_priority && !valid_priority(in->priority))
        return http_error(r, 400, "validation_failed",
                          "priority must be low, normal, high or urgent", "priority"),
               -1;
    if (in->position && strcmp(in->position, "top") != 0 && strcmp(in->position, "bottom") != 0)
        return http_error(r, 400, "validation_failed", "position must be top or bottom",
                          "position"),
               -1;
    if (due) {
        in->has_due = true;
        if (!json_is_null(due) && (!json_is_string(due) || !valid_date(json_string_value(due))))
            return http_error(r, 400, "validation_failed",
                              "due_date must be a date as YYYY-MM-DD, or null", "due_date"),
                   -1;
        in->due_date = json_is_null(due) ? NULL : json_string_value(due);
    }
    if (read_ids(r, assignees, "assignees", MAX_ASSIGNEES, &in->assignees, &in->has_assignees) <
            0 ||
        read_ids(r, labels, "labels", MAX_CARD_LABELS, &in->labels, &in->has_labels) < 0 ||
        read_ids(r, files, "files", MAX_FILES, &in->files, NULL) < 0 ||
        read_checklist(r, checklist, in) < 0)
        return -1;
    if (in->has_description && !(in->html = richtext_render(r, in->description, "description")))
        return -1;
    return 0;
}

/* Checks, inside the transaction, that assignees are members of the project and labels
 * are the project's. 0, a refusal's status, or -1. */
static int check_people_and_labels(struct req *r, long long project, const struct card_input *in)
{
    if (in->assignees.n) {
        struct db_res *m = db_query(&r->arena, sql_members_in, "is", project,
                                    idset_text(&r->arena, &in->assignees));
        if (!m)
            return -1;
        if (m->nrows != in->assignees.n)
            return http_error(r, 400, "validation_failed",
                              "Assignees must be members of the project", "assignees");
    }
    if (in->labels.n) {
        struct db_res *l =
            db_query(&r->arena, sql_labels_in, "is", project, idset_text(&r->arena, &in->labels));
        if (!l)
            return -1;
        if (l->nrows != in->labels.n)
            return http_error(r, 400, "validation_failed", "Labels must be the project's",
                              "labels");
    }
    return 0;
}

/* Attaches uploaded files to a card. 0, a refusal (400), or -1. */
static int attach_files(struct req *r, long long card_id, const struct idset *files)
{
    for (int i = 0; i < files->n; i++)
        if (files_attach(files->v[i], me(r), "card", card_id) < 0)
            return db_errno() ? -1
                              : http_error(r, 400, "validation_failed",
                                           "A file is not yours, is attached already or does "
                                           "not exist",
                                           "files");
    return 0;
}

/* Makes the card's assignees (or labels) exactly `want`, noting {added, removed} in
 * changes[field]; new assignees are notified. 0/-1. */
static int sync_set(struct req *r, long long card_id, const char *title, bool people,
                    const struct idset *want, json_t *changes)
{
    struct db_res *old =
        db_query(&r->arena, people ? sql_assignees_of : sql_labels_of, "i", card_id);
    if (!old)
        return -1;
    struct idset was = idset_of(&r->arena, old);
    json_t *added = idset_minus(want, &was), *removed = idset_minus(&was, want);
    int rc = 0;
    size_t i;
    json_t *v;
    json_array_foreach(added, i, v)
    {
        long long id = json_integer_value(v);
        if (rc == 0 &&
            (db_exec(people ? sql_assignee_add : sql_card_label_add, "ii", card_id, id) < 0 ||
             (people && notify_user(id, me(r), "card_assigned", "card", card_id,
                                    arena_printf(&r->arena, "%s assigned you: %s", r->session->name,
                                                 title)) < 0)))
            rc = -1;
    }
    json_array_foreach(removed, i, v)
    {
        if (rc == 0 && db_exec(people ? sql_assignee_remove : sql_card_label_remove, "ii", card_id,
                               json_integer_value(v)) < 0)
            rc = -1;
    }
    if (rc == 0 && (json_array_size(added) || json_array_size(removed)))
        json_object_set_new(changes, people ? "assignees" : "labels",
                            json_pack("{s:O, s:O}", "added", added, "removed", removed));
    json_decref(added);
    json_decref(removed);
    return rc;
}

/* Makes the card's checklist the given items: items with a known id are updated, the
 * others inserted, and the missing ones removed. 0, a refusal, or -1. */
static int sync_checklist(struct req *r, long long card_id, const struct card_input *in)
{
    struct db_res *old = db_query(&r->arena, sql_check_items, "i", card_id);
    if (!old)
        return -1;
    struct idset was = idset_of(&r->arena, old),
                 kept = {arena_alloc(&r->arena, sizeof(long long) * (size_t)(in->nitems + 1)), 0};
    for (int i = 0; i < in->nitems; i++) {
        const struct check_item *it = &in->items[i];
        if (it->id && idset_has(&was, it->id)) {
            kept.v[kept.n++] = it->id;
            if (db_exec(sql_check_update, "siiiiiii", it->text, (long long)i + 1,
                        (long long)it->done, me(r), (long long)it->done, (long long)it->done,
                        it->id, card_id) < 0)
                return -1;
        } else if (it->id) {
            return http_error(r, 400, "validation_failed",
                              "A checklist item id is not one of this card's", "checklist");
        } else if (db_exec(sql_check_insert, "iisiIi", card_id, (long long)i + 1, it->text,
                           (long long)it->done, it->done ? me(r) : 0LL, (long long)it->done) < 0) {
            return -1;
        }
    }
    idset_normalize(&kept);
    for (int i = 0; i < was.n; i++)
        if (!idset_has(&kept, was.v[i]) && db_exec(sql_check_delete, "ii", was.v[i], card_id) < 0)
            return -1;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Cards: ordering
 * ------------------------------------------------------------------------------------- */

/* A nullable BIGINT cell (row 0, column col): 1 and *out when set, 0 for NULL. */
static int cell_ll(const struct db_res *res, int col, long long *out)
{
    if (!res || res->nrows == 0 || !db_str(res, 0, col))
        return 0;
    *out = db_ll(res, 0, col);
    return 1;
}

/* The keys around a card's new place: lo above it, hi below it (either may be open). */
struct slot {
    long long lo, hi;
    int has_lo, has_hi;
};

static bool slot_has_room(const struct slot *s)
{
    return !s->has_lo || !s->has_hi || s->hi - s->lo >= 2;
}

/* A key strictly inside the slot (which has room). */
static long long slot_key(const struct slot *s)
{
    if (!s->has_lo && !s->has_hi)
        return 0;
    if (!s->has_hi)
        return s->lo + KEY_GAP;
    if (!s->has_lo)
        return s->hi - KEY_GAP;
    return s->lo + (s->hi - s->lo) / 2;
}

/* The slot next to a neighbour from a row of sql_after/before_neighbour. */
static struct slot slot_of(const struct db_res *n, bool after)
{
    struct slot s = {0, 0, 0, 0};
    if (after) {
        s.lo = db_ll(n, 0, 1), s.has_lo = 1;
        s.has_hi = cell_ll(n, 3, &s.hi);
    } else {
        s.hi = db_ll(n, 0, 1), s.has_hi = 1;
        s.has_lo = cell_ll(n, 3, &s.lo);
    }
    return s;
}

/* The slot at the top or the bottom of a column (the card itself left out). 0/-1. */
static int end_slot(struct req *r, long long column, long long card, bool top, struct slot *s)
{
    struct db_res *k = db_query(&r->arena, top ? sql_key_first : sql_key_last, "ii", column, card);
    if (!k)
        return -1;
    memset(s, 0, sizeof *s);
    if (top)
        s->has_hi = cell_ll(k, 0, &s->hi);
    else
        s->has_lo = cell_ll(k, 0, &s->lo);
    return 0;
}

/* The row of column id among the rows of sql_columns_lock, or -1. */
static int locked_row(const struct db_res *cols, long long id)
{
    for (int i = 0; i < cols->nrows; i++)
        if (db_ll(cols, i, 0) == id)
            return i;
    return -1;
}

/* ---------------------------------------------------------------------------------------
 * Cards: writing
 * ------------------------------------------------------------------------------------- */

struct card_ctx {
    struct req *r;
    long long id, board_id, column_id, before_id, after_id, version, item_id, item_position;
    bool has_version, has_item_text, has_item_done, has_item_position, moved;
    int item_done;
    const char *item_text;
    struct card_input *in;
};

static int card_create_tx(struct req *r, void *arg, struct http_change *change)
{
    struct card_ctx *c = arg;
    struct card_input *in = c->in;
    struct db_res *head =
        db_query(&r->arena, sql_board_head, "iii", is_admin(r), me(r), c->board_id);
    if (!head)
        return -1;
    int refused = refuse(r, head, 9, "No such board");
    if (refused)
        return refused;
    long long project = db_ll(head, 0, 3), column = in->column_id;
    if (!column) {
        struct db_res *f = db_query(&r->arena, sql_first_column, "i", c->board_id);
        if (!f)
            return -1;
        if (f->nrows == 0)
            return http_error(r, 400, "validation_failed", "The board has no column", "column_id");
        column = db_ll(f, 0, 0);
    }
    struct db_res *col = db_query(&r->arena, sql_column_lock, "i", column);
    if (!col)
        return -1;
    if (col->nrows == 0 || db_ll(col, 0, 1) != c->board_id || db_ll(col, 0, 5))
        return http_error(r, 400, "validation_failed",
                          "column_id must be an active column of this board", "column_id");
    struct db_res *n = db_query(&r->arena, sql_board_active_cards, "i", c->board_id);
    if (!n)
        return -1;
    if (db_ll(n, 0, 0) >= MAX_BOARD_CARDS)
        return conflict(r, "board_full", "A board holds at most 10000 open cards", NULL, NULL);
    if (db_str(col, 0, 3)) {
        struct db_res *k = db_query(&r->arena, sql_column_active_cards, "ii", c->board_id, column);
        if (!k)
            return -1;
        if (db_ll(k, 0, 0) >= db_ll(col, 0, 3))
            return conflict(r, "wip_limit_reached", "The column is at its WIP limit", "column_id",
                            NULL);
    }
    refused = check_people_and_labels(r, project, in);
    if (refused)
        return refused;
    struct slot slot;
    if (end_slot(r, column, 0, in->position && strcmp(in->position, "top") == 0, &slot) < 0 ||
        db_exec(sql_card_insert, "iiisssssi", c->board_id, column, slot_key(&slot), in->title,
                in->has_description ? in->description : "", in->html ? in->html : "",
                in->has_priority ? in->priority : "normal", in->due_date, me(r)) < 0)
        return -1;
    c->id = db_insert_id();
    c->column_id = column;
    json_t *changes = json_object();
    if (sync_set(r, c->id, in->title, true, &in->assignees, changes) < 0 ||
        sync_set(r, c->id, in->title, false, &in->labels, changes) < 0) {
        json_decref(changes);
        return -1;
    }
    json_decref(changes);
    if (in->nitems && (refused = sync_checklist(r, c->id, in)) != 0)
        return refused;
    if ((refused = attach_files(r, c->id, &in->files)) != 0)
        return refused;
    if (refresh_badges(&r->arena, c->id, in->files.n > 0) < 0)
        return -1;
    *change = (struct http_change){
        "card.create", "card", c->id,
        json_pack("{s:I, s:s}", "board_id", (json_int_t)c->board_id, "title", in->title)};
    return activity(c->id, me(r), "created",
                    json_pack("{s:{s:I, s:s}}", "column", "id", (json_int_t)column, "name",
                              db_str(col, 0, 2))) < 0 ||
                   board_event("card.created", c->board_id,
                               json_pack("{s:I, s:I, s:I, s:I}", "board_id",
                                         (json_int_t)c->board_id, "card_id", (json_int_t)c->id,
                                         "column_id", (json_int_t)column, "version", 1)) < 0
               ? -1
               : 0;
}

int boards_card_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct card_input in;
    struct card_ctx c = {.r = r, .board_id = http_param_id(r, "id"), .in = &in};
    if (read_card_input(r, body, &in, true) < 0) {
        card_input_cleanup(&in);
        return r->status;
    }
    int rc = c.board_id ? http_write(r, card_create_tx, &c)
                        : http_error(r, 404, "not_found", "No such board", NULL);
    card_input_cleanup(&in);
    if (rc)
        return rc;
    return send_card(r, 201, c.id);
}

/* The card row locked (columns of sql_card_lock) after the access check; NULL with the
 * refusal sent (*status > 0) or on a database error (*status = -1). */
static struct db_res *lock_card(struct req *r, long long id, struct db_res **access, int *status)
{
    struct db_res *a = db_query(&r->arena, sql_card_access, "iii", is_admin(r), me(r), id);
    *status = -1;
    if (!a)
        return NULL;
    if ((*status = refuse(r, a, 3, "No such card")) != 0)
        return NULL;
    struct db_res *cur = db_query(&r->arena, sql_card_lock, "i", id);
    *status = -1;
    if (!cur || cur->nrows == 0)
        return NULL;
    if (access)
        *access = a;
    return cur;
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int card_update_tx(struct req *r, void *arg, struct http_change *change)
{
    struct card_ctx *c = arg;
    struct card_input *in = c->in;
    struct db_res *a, *cur;
    int status;
    if (!(cur = lock_card(r, c->id, &a, &status)))
        return status;
    if (db_ll(cur, 0, 1) != in->version)
        return conflict(r, "conflict", "The card changed meanwhile; reload", "version",
                        card_json(r, c->id));
    c->board_id = db_ll(cur, 0, 8);
    int refused = check_people_and_labels(r, db_ll(a, 0, 1), in);
    if (refused)
        return refused;
    json_t *changes = json_object();
    *change = (struct http_change){"card.update", "card", c->id, changes};
    const char *title = in->has_title ? in->title : db_str(cur, 0, 4);
    bool title_changed = in->has_title && strcmp(in->title, db_str(cur, 0, 4)) != 0;
    bool description_changed =
        in->has_description && strcmp(in->description, db_str(cur, 0, 5)) != 0;
    bool priority_changed = in->has_priority && strcmp(in->priority, db_str(cur, 0, 6)) != 0;
    bool due_changed = in->has_due && !same_text(in->due_date, db_str(cur, 0, 7));
    bool archived_changed = in->has_archived && in->archived != db_ll(cur, 0, 2);
    if (title_changed)
        json_object_set_new(changes, "title",
                            json_pack("{s:s, s:s}", "from", db_str(cur, 0, 4), "to", in->title));
    if (description_changed)
        json_object_set_new(changes, "description", json_true());
    if (priority_changed)
        json_object_set_new(changes, "priority",
                            json_pack("{s:s, s:s}", "from", db_str(cur, 0, 6), "to", in->priority));
    if (due_changed)
        json_object_set_new(
            changes, "due_date",
            json_pack("{s:s?, s:s?}", "from", db_str(cur, 0, 7), "to", in->due_date));
    if (archived_changed)
        json_object_set_new(changes, "archived", json_boolean(in->archived));
    if ((in->has_assignees && sync_set(r, c->id, title, true, &in->assignees, changes) < 0) ||
        (in->has_labels && sync_set(r, c->id, title, false, &in->labels, changes) < 0))
        return -1;
    if (in->has_checklist) {
        if ((refused = sync_checklist(r, c->id, in)) != 0)
            return refused;
        json_object_set_new(changes, "checklist", json_true());
    }
    if (in->files.n) {
        if ((refused = attach_files(r, c->id, &in->files)) != 0)
            return refused;
        struct idset none = {NULL, 0};
        json_object_set_new(changes, "files",
                            json_pack("{s:o}", "added", idset_minus(&in->files, &none)));
    }
    if (json_object_size(changes) == 0) {
        json_decref(changes);
        *change = (struct http_change){0}; /* nothing changed: no new version, no history */
        return 0;
    }
    if ((in->has_assignees || in->has_labels || in->has_checklist || in->files.n) &&
        refresh_badges(&r->arena, c->id, in->files.n > 0) < 0)
        return -1;
    return db_exec(sql_card_update, "ssssisiiii", title_changed ? in->title : NULL,
                   description_changed ? in->description : NULL,
                   description_changed ? in->html : NULL, priority_changed ? in->priority : NULL,
                   (long long)due_changed, in->due_date, (long long)archived_changed,
                   (long long)in->archived, c->id, in->version) < 0 ||
                   board_event("card.updated", c->board_id,
                               json_pack("{s:I, s:I, s:I, s:I}", "board_id",
                                         (json_int_t)c->board_id, "card_id", (json_int_t)c->id,
                                         "column_id", (json_int_t)db_ll(cur, 0, 0), "version",
                                         (json_int_t)(in->version + 1))) < 0 ||
                   activity(c->id, me(r), "updated", json_pack("{s:O}", "changes", changes)) < 0
               ? -1
               : 0;
}

int boards_card_update(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct card_input in;
    struct card_ctx c = {.r = r, .id = http_param_id(r, "id"), .in = &in};
    if (read_card_input(r, body, &in, false) < 0) {
        card_input_cleanup(&in);
        return r->status;
    }
    int rc = c.id ? http_write(r, card_update_tx, &c)
                  : http_error(r, 404, "not_found", "No such card", NULL);
    card_input_cleanup(&in);
    if (rc)
        return rc;
    return send_card(r, 200, c.id);
}

static int card_move_tx(struct req *r, void *arg, struct http_change *change)
{
    struct card_ctx *c = arg;
    c->moved = false;
    long long neighbour = c->after_id ? c->after_id : c->before_id;
    struct db_res *a =
        db_query(&r->arena, sql_move_head, "iiIi", is_admin(r), me(r), neighbour, c->id);
    if (!a)
        return -1;
    int refused = refuse(r, a, 3, "No such card");
    if (refused)
        return refused;
    long long board = db_ll(a, 0, 0), from = db_ll(a, 0, 2), to = c->column_id;
    const char *field = c->after_id ? "after_id" : "before_id";
    const char *not_here = c->after_id ? "after_id must be a card of the same board"
                                       : "before_id must be a card of the same board";
    if (neighbour == c->id)
        return http_error(r, 400, "validation_failed", "A card cannot go next to itself", field);
    if (neighbour && db_ll(a, 0, 5) != board) /* no such card, or on another board */
        return http_error(r, 400, "validation_failed", not_here, field);
    if (!to) /* the neighbour's column, as it is now; checked again under the lock */
        to = db_ll(a, 0, 4);
    /* Both columns in id order, then the card: concurrent moves queue here. */
    struct db_res *cols = db_query(&r->arena, sql_columns_lock, "ii", from, to);
    if (!cols)
        return -1;
    int dst = locked_row(cols, to);
    if (dst < 0 || db_ll(cols, dst, 2) != board)
        return http_error(r, 400, "validation_failed",
                          "column_id must be a column of the card's own board", "column_id");
    struct db_res *cur = db_query(&r->arena, sql_move_lock, "i", c->id);
    if (!cur || cur->nrows == 0)
        return -1;
    if (db_ll(cur, 0, 0) != from) {
        /* Someone moved it between our first look and the lock: hold its new column
         * too. Out of order, so this may deadlock; http_write then runs the move again. */
        from = db_ll(cur, 0, 0);
        if (!(cols = db_query(&r->arena, sql_columns_lock, "ii", from, to)))
            return -1;
    }
    if (c->has_version && db_ll(cur, 0, 1) != c->version)
        return conflict(r, "conflict", "The card changed meanwhile; reload", "version",
                        card_json(r, c->id));
    struct slot slot;
    if (neighbour) {
        struct db_res *n;
        for (int tries = 0;; tries++) {
            n = db_query(&r->arena, c->after_id ? sql_after_neighbour : sql_before_neighbour, "ii",
                         c->id, neighbour);
            if (!n)
                return -1;
            if (n->nrows == 0 || db_ll(n, 0, 2) != board)
                return http_error(r, 400, "validation_failed", not_here, field);
            if (db_ll(n, 0, 0) == to)
                break;
            if (c->column_id || tries == 3)
                return conflict(r, "conflict", "The neighbouring card moved meanwhile; reload",
                                field, card_json(r, c->id));
            /* The neighbour moved before we held its column: follow it there. */
            to = db_ll(n, 0, 0);
            if (!(cols = db_query(&r->arena, sql_columns_lock, "ii", from, to)))
                return -1;
        }
        slot = slot_of(n, c->after_id != 0);
    } else if (end_slot(r, to, c->id, false, &slot) < 0) {
        return -1;
    }
    dst = locked_row(cols, to);
    if (dst < 0)
        return -1;
    if (db_ll(cols, dst, 3))
        return http_error(r, 400, "validation_failed", "The column is archived", "column_id");
    if (to != from && db_str(cols, dst, 4) && !db_ll(cur, 0, 2)) {
        struct db_res *k = db_query(&r->arena, sql_column_active_cards, "ii", board, to);
        if (!k)
            return -1;
        if (db_ll(k, 0, 0) >= db_ll(cols, dst, 4))
            return conflict(r, "wip_limit_reached", "The column is at its WIP limit", "column_id",
                            card_json(r, c->id));
    }
    c->board_id = board;
    c->column_id = to;
    c->version = db_ll(cur, 0, 1);
    c->item_id = from; /* the column it came from */
    long long key = db_ll(cur, 0, 3);
    if (from == to && (!slot.has_lo || slot.lo < key) && (!slot.has_hi || key < slot.hi))
        return 0; /* it is there already: no new version, no history */
    if (!slot_has_room(&slot)) {
        /* No key left between the neighbours: spread the column out and look again. */
        struct db_res *n;
        if (db_exec(sql_renumber, "ii", to, KEY_GAP) < 0 ||
            !(n = db_query(&r->arena, c->after_id ? sql_after_neighbour : sql_before_neighbour,
                           "ii", c->id, neighbour)) ||
            n->nrows == 0)
            return -1;
        slot = slot_of(n, c->after_id != 0);
    }
    if (db_exec(sql_card_move, "iii", to, slot_key(&slot), c->id) < 0)
        return -1;
    c->moved = true;
    c->version++;
    json_t *details = json_pack("{s:{s:I, s:s}, s:{s:I, s:s}}", "from", "id", (json_int_t)from,
                                "name", db_str(cols, locked_row(cols, from), 1), "to", "id",
                                (json_int_t)to, "name", db_str(cols, dst, 1));
    if (c->after_id)
        json_object_set_new(details, "after_id", json_integer(c->after_id));
    if (c->before_id)
        json_object_set_new(details, "before_id", json_integer(c->before_id));
    json_t *event = json_pack("{s:I, s:I, s:I, s:I, s:I}", "board_id", (json_int_t)board, "card_id",
                              (json_int_t)c->id, "from_column_id", (json_int_t)from, "column_id",
                              (json_int_t)to, "version", (json_int_t)c->version);
    json_object_set_new(event, "after_id", c->after_id ? json_integer(c->after_id) : json_null());
    json_object_set_new(event, "before_id",
                        c->before_id ? json_integer(c->before_id) : json_null());
    *change = (struct http_change){"card.move", "card", c->id, details};
    if (activity(c->id, me(r), "moved", json_incref(details)) < 0 ||
        board_event("card.moved", board, event) < 0)
        return -1;
    return 0;
}

int boards_card_move(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct card_ctx c = {.r = r, .id = http_param_id(r, "id")};
    if (HTTP_FIELDS(r, body, {"column_id", FIELD_ID, false, 0, &c.column_id},
                    {"after_id", FIELD_ID, false, 0, &c.after_id},
                    {"before_id", FIELD_ID, false, 0, &c.before_id},
                    {"version", FIELD_INT, false, 0, &c.version, &c.has_version}) < 0)
        return r->status;
    if (c.after_id && c.before_id)
        return http_error(r, 400, "validation_failed", "Give after_id or before_id, not both",
                          "before_id");
    if (!c.column_id && !c.after_id && !c.before_id)
        return http_error(r, 400, "validation_failed",
                          "column_id is required (unless after_id or before_id names the place)",
                          "column_id");
    if (!c.id)
        return http_error(r, 404, "not_found", "No such card", NULL);
    int rc = http_write(r, card_move_tx, &c);
    if (rc)
        return rc;
    json_t *out =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:b}", "id", (json_int_t)c.id, "board_id",
                  (json_int_t)c.board_id, "column_id", (json_int_t)c.column_id, "from_column_id",
                  (json_int_t)c.item_id, "version", (json_int_t)c.version, "moved", c.moved);
    json_object_set_new(out, "after_id", c.after_id ? json_integer(c.after_id) : json_null());
    json_object_set_new(out, "before_id", c.before_id ? json_integer(c.before_id) : json_null());
    return http_json(r, 200, out);
}

/* ---------------------------------------------------------------------------------------
 * Comments and checklist items
 * ------------------------------------------------------------------------------------- */

struct note_ctx {
    struct req *r;
    long long card_id, comment_id, item_id, position;
    const char *text;
    char *html;
    int done;
    bool has_text, has_done, has_position;
    enum { CHECK_ADD, CHECK_UPDATE, CHECK_DELETE } op;
};

static int comment_tx(struct req *r, void *arg, struct http_change *change)
{
    struct note_ctx *c = arg;
    struct db_res *a = db_query(&r->arena, sql_card_access, "iii", is_admin(r), me(r), c->card_id);
    if (!a)
        return -1;
    int refused = refuse(r, a, 3, "No such card");
    if (refused)
        return refused;
    long long board = db_ll(a, 0, 0), project = db_ll(a, 0, 1);
    if (db_exec(sql_comment_insert, "iiss", c->card_id, me(r), c->text, c->html) < 0)
        return -1;
    c->comment_id = db_insert_id();
    if (refresh_badges(&r->arena, c->card_id, false) < 0)
        return -1;
    /* The mentioned who may see the card hear of it as a mention; the assignees, as a
     * comment (once each). */
    const char *handles = richtext_mentions(&r->arena, c->text);
    struct idset mentioned = {NULL, 0};
    if (strcmp(handles, "[]") != 0) {
        struct db_res *who = db_query(&r->arena, sql_mention_targets, "si", handles, project);
        if (!who)
            return -1;
        mentioned = idset_of(&r->arena, who);
    }
    struct db_res *assignees = db_query(&r->arena, sql_assignees_of, "i", c->card_id);
    if (!assignees)
        return -1;
    const char *mention = richtext_summary(&r->arena, r->session->name, "mentioned you", c->text);
    const char *comment = richtext_summary(&r->arena, r->session->name, "commented", c->text);
    for (int i = 0; i < mentioned.n; i++)
        if (notify_user(mentioned.v[i], me(r), "mention", "card", c->card_id, mention) < 0)
            return -1;
    for (int i = 0; i < assignees->nrows; i++) {
        long long uid = db_ll(assignees, i, 0);
        if (!idset_has(&mentioned, uid) &&
            notify_user(uid, me(r), "card_comment", "card", c->card_id, comment) < 0)
            return -1;
    }
    *change = (struct http_change){"card.comment", "card", c->card_id,
                                   json_pack("{s:I}", "comment_id", (json_int_t)c->comment_id)};
    return activity(c->card_id, me(r), "commented",
                    json_pack("{s:I}", "comment_id", (json_int_t)c->comment_id)) < 0 ||
                   board_event("card.commented", board,
                               json_pack("{s:I, s:I, s:I}", "board_id", (json_int_t)board,
                                         "card_id", (json_int_t)c->card_id, "comment_id",
                                         (json_int_t)c->comment_id)) < 0
               ? -1
               : 0;
}

int boards_comment_create(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct note_ctx c = {.r = r, .card_id = http_param_id(r, "id")};
    if (HTTP_FIELDS(r, body, {"body", FIELD_STRING, true, 300000, &c.text}) < 0)
        return r->status;
    if (!c.card_id)
        return http_error(r, 404, "not_found", "No such card", NULL);
    if (!(c.html = richtext_render(r, c.text, "body")))
        return r->status;
    int rc = http_write(r, comment_tx, &c);
    free(c.html);
    if (rc)
        return rc;
    struct db_res *m = db_query(&r->arena, sql_comment_get, "i", c.comment_id);
    if (!m || m->nrows == 0)
        return http_db_error(r);
    return http_json(r, 201, comment_json(&r->arena, m, 0));
}

static int checklist_tx(struct req *r, void *arg, struct http_change *change)
{
    struct note_ctx *c = arg;
    struct db_res *cur;
    int status;
    if (!(cur = lock_card(r, c->card_id, NULL, &status)))
        return status;
    long long board = db_ll(cur, 0, 8);
    struct db_res *items = db_query(&r->arena, sql_check_items, "i", c->card_id);
    if (!items)
        return -1;
    int at = -1; /* the item's row */
    for (int i = 0; i < items->nrows && c->op != CHECK_ADD; i++)
        if (db_ll(items, i, 0) == c->item_id)
            at = i;
    if (c->op != CHECK_ADD && at < 0)
        return http_error(r, 404, "not_found", "No such checklist item", NULL);
    const char *action = "add";
    if (c->op == CHECK_ADD) {
        if (items->nrows >= MAX_CHECKLIST)
            return http_error(r, 400, "validation_failed", "A card has at most 100 checklist items",
                              "checklist");
        long long pos = items->nrows ? db_ll(items, items->nrows - 1, 3) + 1 : 1;
        if (db_exec(sql_check_insert, "iisiIi", c->card_id, pos, c->text, (long long)c->done,
                    c->done ? me(r) : 0LL, (long long)c->done) < 0)
            return -1;
        c->item_id = db_insert_id();
    } else if (c->op == CHECK_DELETE) {
        action = "remove";
        c->text = db_str(items, at, 1);
        if (db_exec(sql_check_delete, "ii", c->item_id, c->card_id) < 0)
            return -1;
    } else {
        const char *text = c->has_text ? c->text : db_str(items, at, 1);
        long long done = c->has_done ? c->done : db_ll(items, at, 2);
        action = done != db_ll(items, at, 2)               ? (done ? "check" : "uncheck")
                 : strcmp(text, db_str(items, at, 1)) != 0 ? "edit"
                                                           : "move";
        c->text = text;
        /* The items in their new order: this one taken out and put back at position
         * `where`; only rows whose position changes are written, and this one. */
        long long where = c->has_position ? c->position : at + 1, pos = 0;
        where = where < 1 ? 1 : where > items->nrows ? items->nrows : where;
        bool placed = false;
        for (int i = 0; i <= items->nrows; i++) {
            if (!placed && (pos + 1 == where || i == items->nrows)) {
                if (db_exec(sql_check_update, "siiiiiii", text, ++pos, done, me(r), done, done,
                            c->item_id, c->card_id) < 0)
                    return -1;
                placed = true;
            }
            if (i == items->nrows || i == at)
                continue;
            long long d = db_ll(items, i, 2);
            if (db_ll(items, i, 3) != ++pos &&
                db_exec(sql_check_update, "siiiiiii", db_str(items, i, 1), pos, d, me(r), d, d,
                        db_ll(items, i, 0), c->card_id) < 0)
                return -1;
        }
    }
    json_t *details = json_pack("{s:s, s:I, s:s}", "action", action, "item_id",
                                (json_int_t)c->item_id, "text", c->text);
    *change = (struct http_change){"card.checklist", "card", c->card_id, details};
    return db_exec(sql_card_touch, "i", c->card_id) < 0 ||
                   refresh_badges(&r->arena, c->card_id, false) < 0 ||
                   activity(c->card_id, me(r), "checklist", json_incref(details)) < 0 ||
                   board_event("card.updated", board,
                               json_pack("{s:I, s:I, s:I, s:I}", "board_id", (json_int_t)board,
                                         "card_id", (json_int_t)c->card_id, "column_id",
                                         (json_int_t)db_ll(cur, 0, 0), "version",
                                         (json_int_t)db_ll(cur, 0, 1) + 1)) < 0
               ? -1
               : 0;
}

static int run_checklist(struct req *r, struct note_ctx *c, int ok_status)
{
    if (!c->card_id || (c->op != CHECK_ADD && !c->item_id))
        return http_error(r, 404, "not_found",
                          c->card_id ? "No such checklist item" : "No such card", NULL);
    int rc = http_write(r, checklist_tx, c);
    if (rc)
        return rc;
    return send_card(r, ok_status, c->card_id);
}

int boards_checklist_add(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct note_ctx c = {.r = r, .card_id = http_param_id(r, "id"), .op = CHECK_ADD};
    if (HTTP_FIELDS(r, body, {"text", FIELD_STRING, true, 500, &c.text},
                    {"done", FIELD_BOOL, false, 0, &c.done}) < 0)
        return r->status;
    return run_checklist(r, &c, 201);
}

int boards_checklist_update(struct req *r)
{
    json_t *body = http_json_body(r);
    if (!body)
        return r->status;
    struct note_ctx c = {.r = r,
                         .card_id = http_param_id(r, "id"),
                         .item_id = http_param_id(r, "item_id"),
                         .op = CHECK_UPDATE};
    if (HTTP_FIELDS(r, body, {"text", FIELD_STRING, false, 500, &c.text, &c.has_text},
                    {"done", FIELD_BOOL, false, 0, &c.done, &c.has_done},
                    {"position", FIELD_INT, false, 0, &c.position, &c.has_position}) < 0)
        return r->status;
    if (c.has_text && !*c.text)
        return http_error(r, 400, "validation_failed", "text must not be empty", "text");
    if (c.has_position && c.position < 1)
        return http_error(r, 400, "validation_failed", "position counts from 1", "position");
    return run_checklist(r, &c, 200);
}

int boards_checklist_delete(struct req *r)
{
    if (http_no_fields(r) < 0) /* takes no body */
        return r->status;
    struct note_ctx c = {.r = r,
                         .card_id = http_param_id(r, "id"),
                         .item_id = http_param_id(r, "item_id"),
                         .op = CHECK_DELETE};
    return run_checklist(r, &c, 200);
}

/* ---------------------------------------------------------------------------------------
 * My tasks
 * ------------------------------------------------------------------------------------- */

int boards_my_tasks(struct req *r)
{
    const char *l = http_query(r, "limit");
    char *end;
    long long limit = l ? strtoll(l, &end, 10) : 100;
    if (l && (!*l || *end || limit < 1 || limit > 500))
        return http_error(r, 400, "validation_failed", "limit must be a whole number from 1 to 500",
                          "limit");
    struct db_res *t = db_query(&r->arena, sql_my_tasks, "iii", me(r), me(r), limit);
    if (!t)
        return http_db_error(r);
    char today[11];
    utc_date(today, 0);
    json_t *items = json_array();
    for (int i = 0; i < t->nrows; i++) {
        const char *due = db_str(t, i, 3);
        json_t *labels = db_str(t, i, 11) ? json_loads(db_str(t, i, 11), 0, NULL) : NULL;
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s?, s:b, s:I, s:{s:I, s:s}, s:{s:I, s:s}, s:{s:I, s:s},"
                      " s:o}",
                      "id", (json_int_t)db_ll(t, i, 0), "title", db_str(t, i, 1), "priority",
                      db_str(t, i, 2), "due_date", due, "overdue", due && strcmp(due, today) < 0,
                      "version", (json_int_t)db_ll(t, i, 4), "project", "id",
                      (json_int_t)db_ll(t, i, 5), "name", db_str(t, i, 6), "board", "id",
                      (json_int_t)db_ll(t, i, 7), "name", db_str(t, i, 8), "column", "id",
                      (json_int_t)db_ll(t, i, 9), "name", db_str(t, i, 10), "labels",
                      labels ? labels : json_array()));
    }
    return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---------------------------------------------------------------------------------------
 * Attachments and due-date reminders
 * ------------------------------------------------------------------------------------- */

static bool card_file_readable(struct req *r, long long card_id)
{
    if (!r->session || r->session->realm != REALM_EMPLOYEE)
        return false;
    struct db_res *c = db_query(&r->arena, sql_card_access, "iii", is_admin(r), me(r), card_id);
    return c && c->nrows == 1 && db_ll(c, 0, 3);
}

/* The gateway's audiences "project:N" and "board:N": the members of the project. */
static const char sql_project_member_ids[] =
    "SELECT user_id FROM project_members WHERE project_id = ?";
static const char sql_board_member_ids[] =
    "SELECT m.user_id FROM boards b JOIN project_members m ON m.project_id = b.project_id"
    " WHERE b.id = ?";

static struct db_res *project_members(struct arena *a, long long project_id)
{
    return db_query(a, sql_project_member_ids, "i", project_id);
}

static struct db_res *board_members(struct arena *a, long long board_id)
{
    return db_query(a, sql_board_member_ids, "i", board_id);
}

int boards_init(void)
{
    return files_register_owner("card", card_file_readable) |
           audience_register(AUD_PROJECT, project_members) |
           audience_register(AUD_BOARD, board_members);
}

struct reminder {
    struct arena *arena;
    long long card_id, created_by;
    const char *title, *due;
    bool overdue;
    int sent;
};

/* Marks one card's reminder sent and notifies its assignees (its creator when nobody is
 * assigned), in one transaction: the mark and the notifications commit together. */
static int remind_tx(void *arg)
{
    struct reminder *m = arg;
    if (db_exec(m->overdue ? sql_mark_overdue : sql_mark_due_soon, "is", m->card_id, m->due) < 0)
        return -1;
    if (db_affected() == 0)
        return 0; /* its due date changed meanwhile: the next pass sees the new one */
    struct db_res *who = db_query(m->arena, sql_assignees_of, "i", m->card_id);
    if (!who)
        return -1;
    char today[11], tomorrow[11];
    utc_date(today, 0);
    utc_date(tomorrow, 1);
    const char *summary =
        m->overdue ? arena_printf(m->arena, "Overdue since %s: %s", m->due, m->title)
        : strcmp(m->due, today) == 0 ? arena_printf(m->arena, "Due today: %s", m->title)
                                     : arena_printf(m->arena, "Due tomorrow: %s", m->title);
    const char *kind = m->overdue ? "card_overdue" : "card_due_soon";
    for (int i = 0; i < who->nrows; i++)
        if (notify_user(db_ll(who, i, 0), 0, kind, "card", m->card_id, summary) < 0)
            return -1;
    if (who->nrows == 0 && notify_user(m->created_by, 0, kind, "card", m->card_id, summary) < 0)
        return -1;
    m->sent++;
    return 0;
}

/* The scheduler job: a reminder the day before a card is due (or on the day, for a card
 * given a due date that late) and one when it is overdue, each once per due date, for
 * open cards only. Dates are UTC. */
static int due_reminders(void)
{
    struct arena a;
    arena_init(&a);
    int rc = 0, counts[2] = {0, 0};
    for (int overdue = 0; overdue < 2 && rc == 0; overdue++) {
        for (int batch = 0; batch < 50 && rc == 0; batch++) {
            struct db_res *due = db_query(&a, overdue ? sql_overdue : sql_due_soon, "");
            if (!due) {
                rc = -1;
                break;
            }
            for (int i = 0; i < due->nrows && rc == 0; i++) {
                struct reminder m = {&a,
                                     db_ll(due, i, 0),
                                     db_ll(due, i, 3),
                                     db_str(due, i, 1),
                                     db_str(due, i, 2),
                                     overdue,
                                     0};
                rc = db_tx(remind_tx, &m) == 0 ? 0 : -1;
                counts[overdue] += m.sent;
            }
            if (due->nrows < 200)
                break;
        }
    }
    if (counts[0] + counts[1] > 0)
        audit_log(NULL, "card.reminders", "card", 0,
                  json_pack("{s:i, s:i}", "due_soon", counts[0], "overdue", counts[1]));
    arena_cleanup(&a);
    return rc;
}

int boards_register_jobs(void)
{
    /* Cheap (two indexed queries when nothing is due), so it runs on every tick. */
    int period = config.scheduler_interval_s > 0 ? config.scheduler_interval_s : 30;
    return scheduler_register("boards.due_reminders", period, due_reminders);
}

/* ---------------------------------------------------------------------------------------
 * Demo data
 * ------------------------------------------------------------------------------------- */

static const char sql_demo_user[] = "SELECT id, name FROM users WHERE handle = ?";
static const char sql_demo_account[] = "SELECT id FROM accounts WHERE name = ?";
static const char sql_demo_card[] =
    "INSERT INTO cards (board_id, column_id, sort_key, title, description_md, description_html,"
    " priority, due_date, created_by, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, IF(? = 1, UTC_DATE() + INTERVAL ? DAY, NULL), ?,"
    " UTC_TIMESTAMP(6) - INTERVAL ? HOUR, UTC_TIMESTAMP(6) - INTERVAL ? HOUR)";
static const char sql_demo_comment[] =
    "INSERT INTO card_comments (card_id, author_id, body_md, body_html, created_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6) - INTERVAL ? HOUR)";

int boards_demo_seed(void)
{
    enum { ANNA, BORIS, VERA, NPEOPLE };
    static const char *const handles[NPEOPLE] = {"anna", "boris", "vera"};
    enum { NONE = -1, BUG = 0, FEATURE, CUSTOMER, DOCS, NLABELS };
    static const struct {
        const char *name, *color;
    } labels[NLABELS] = {
        {"bug", "#d73a4a"}, {"feature", "#0e8a16"}, {"customer", "#1d76db"}, {"docs", "#fbca04"}};
    static const struct {
        int project; /* 0 website, 1 Romashka */
        int column;  /* 0 To do, 1 In progress, 2 Done */
        const char *title, *description;
        const char *priority;
        int due;           /* days from today; 999 = none */
        int assignees;     /* bit mask of people */
        int label, label2; /* NONE or a label index */
        int hours_ago;
        const char *checklist[4]; /* "x text" done, "- text" open */
        const char *comments[2];  /* "N:text", N = author index */
    } cards[] = {
        {0,
         0,
         "Move the blog to the new design",
         "The blog still uses the old templates. Port the **article** and **list** pages.",
         "normal",
         9,
         1 << VERA,
         FEATURE,
         NONE,
         120,
         {"- Article page", "- List page", "- RSS feed"},
         {"1:Let's do it after the launch."}},
        {0,
         0,
         "Broken link in the footer",
         "The *Careers* link points to a 404 page.",
         "high",
         -2,
         1 << BORIS,
         BUG,
         NONE,
         70,
         {NULL},
         {"2:Still there on mobile. @boris can you check?"}},
        {0, 0, "Translate the pricing page", "", "low", 999, 0, DOCS, NONE, 60, {NULL}, {NULL}},
        {0,
         1,
         "New landing page",
         "Hero block, three features, customer quotes, call to action.",
         "urgent",
         1,
         (1 << ANNA) | (1 << VERA),
         FEATURE,
         NONE,
         96,
         {"x Wireframe", "x Copy", "- Illustrations", "- Review"},
         {"0:Wireframe is in the files, comments welcome.", "2:Looks great 👍"}},
        {0,
         1,
         "Speed up image loading",
         "Serve WebP and lazy-load below the fold.",
         "normal",
         5,
         1 << ANNA,
         FEATURE,
         NONE,
         50,
         {"x WebP", "- Lazy loading"},
         {NULL}},
        {0,
         2,
         "Set up analytics",
         "",
         "normal",
         -5,
         1 << BORIS,
         NONE,
         NONE,
         200,
         {"x Account", "x Tag on every page"},
         {"1:Done, the first reports are in."}},
        {0,
         2,
         "Cookie banner",
         "Only the necessary cookies by default.",
         "high",
         -10,
         1 << ANNA,
         BUG,
         NONE,
         300,
         {NULL},
         {NULL}},
        {1,
         0,
         "Import Romashka's product catalogue",
         "CSV export from their ERP, ~2,000 items.",
         "high",
         3,
         1 << VERA,
         CUSTOMER,
         NONE,
         40,
         {"- Get the CSV", "- Map the fields"},
         {"1:@vera they promised the file by Wednesday."}},
        {1,
         0,
         "Invite Romashka's staff to the client cabinet",
         "",
         "normal",
         7,
         1 << BORIS,
         CUSTOMER,
         NONE,
         30,
         {NULL},
         {NULL}},
        {1,
         1,
         "Configure their ticket categories",
         "Categories: *Delivery*, *Invoices*, *Returns*, *Other*.",
         "normal",
         0,
         1 << VERA,
         CUSTOMER,
         DOCS,
         26,
         {"x Delivery", "x Invoices", "- Returns", "- Other"},
         {"2:Two of four are there.", "1:Thanks! Returns need the new policy first."}},
        {1,
         1,
         "Kick-off call",
         "Agenda: goals, contacts, timeline.",
         "urgent",
         -1,
         (1 << BORIS) | (1 << VERA),
         CUSTOMER,
         NONE,
         80,
         {NULL},
         {"0:Moved to Friday."}},
        {1,
         2,
         "Sign the service agreement",
         "",
         "high",
         -14,
         1 << BORIS,
         CUSTOMER,
         NONE,
         400,
         {"x Draft", "x Legal review", "x Signature"},
         {"1:Signed! 🎉"}},
    };
    struct arena a;
    arena_init(&a);
    int rc = -1;
    long long people[NPEOPLE], project[2], board[2], cols[2][3], label_ids[2][NLABELS];
    const char *person_names[NPEOPLE];
    for (int i = 0; i < NPEOPLE; i++) {
        struct db_res *u = db_query(&a, sql_demo_user, "s", handles[i]);
        if (!u || u->nrows == 0)
            goto out;
        people[i] = db_ll(u, 0, 0);
        person_names[i] = db_str(u, 0, 1);
    }
    struct db_res *acc = db_query(&a, sql_demo_account, "s", "Romashka LLC");
    if (!acc)
        goto out;
    static const char *const names[2] = {"Website relaunch", "Romashka LLC onboarding"};
    static const char *const about[2] = {
        "The new company website: design, content, speed.",
        "Bringing Romashka LLC onto the portal: catalogue, cabinet, tickets."};
    for (int p = 0; p < 2; p++) {
        long long account = p == 1 && acc->nrows ? db_ll(acc, 0, 0) : 0;
        if (db_exec(sql_project_insert, "ssIi", names[p], about[p], account,
                    people[p ? BORIS : ANNA]) < 0)
            goto out;
        project[p] = db_insert_id();
        for (int i = 0; i < NPEOPLE; i++)
            if ((p == 0 || i != ANNA) && db_exec(sql_member_add, "ii", project[p], people[i]) < 0)
                goto out;
        if ((board[p] = board_insert(project[p], p ? "Onboarding" : "Website", 1, cols[p])) < 0)
            goto out;
        for (int l = 0; l < NLABELS; l++) {
            if (db_exec(sql_label_insert, "iss", project[p], labels[l].name, labels[l].color) < 0)
                goto out;
            label_ids[p][l] = db_insert_id();
        }
    }
    long long keys[2][3] = {{0}};
    for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++) {
        int p = cards[i].project, cidx = cards[i].column;
        int creator = cards[i].assignees & (1 << VERA) ? VERA : p ? BORIS : ANNA;
        enum markdown_status st;
        char *html = markdown_render(cards[i].description, strlen(cards[i].description), &st);
        keys[p][cidx] += KEY_GAP;
        int ins = html ? db_exec(sql_demo_card, "iiissssiiiii", board[p], cols[p][cidx],
                                 keys[p][cidx], cards[i].title, cards[i].description, html,
                                 cards[i].priority, (long long)(cards[i].due != 999),
                                 (long long)cards[i].due, people[creator],
                                 (long long)cards[i].hours_ago, (long long)cards[i].hours_ago / 2)
                       : -1;
        free(html);
        if (ins < 0)
            goto out;
        long long card = db_insert_id();
        for (int k = 0; k < NPEOPLE; k++)
            if ((cards[i].assignees & (1 << k)) &&
                db_exec(sql_assignee_add, "ii", card, people[k]) < 0)
                goto out;
        int card_labels[2] = {cards[i].label, cards[i].label2};
        for (int k = 0; k < 2; k++)
            if (card_labels[k] != NONE &&
                db_exec(sql_card_label_add, "ii", card, label_ids[p][card_labels[k]]) < 0)
                goto out;
        for (int k = 0; k < 4 && cards[i].checklist[k]; k++) {
            long long done = cards[i].checklist[k][0] == 'x';
            if (db_exec(sql_check_insert, "iisiIi", card, (long long)k + 1,
                        cards[i].checklist[k] + 2, done, done ? people[creator] : 0LL, done) < 0)
                goto out;
        }
        if (activity(card, people[creator], "created",
                     json_pack("{s:{s:I, s:s}}", "column", "id", (json_int_t)cols[p][cidx], "name",
                               cidx == 0   ? "To do"
                               : cidx == 1 ? "In progress"
                                           : "Done")) < 0)
            goto out;
        for (int k = 0; k < 2 && cards[i].comments[k]; k++) {
            const char *text = cards[i].comments[k] + 2;
            int who = cards[i].comments[k][0] - '0';
            html = markdown_render(text, strlen(text), &st);
            ins = html ? db_exec(sql_demo_comment, "iissi", card, people[who], text, html,
                                 (long long)(cards[i].hours_ago / 3 - k))
                       : -1;
            free(html);
            if (ins < 0 ||
                activity(card, people[who], "commented",
                         json_pack("{s:I}", "comment_id", (json_int_t)db_insert_id())) < 0)
                goto out;
            /* Mentions in the demo comments notify as they would have live. */
            const char *mentions = richtext_mentions(&a, text);
            struct db_res *who_m = strcmp(mentions, "[]") ? db_query(&a, sql_mention_targets, "si",
                                                                     mentions, project[p])
                                                          : NULL;
            for (int m = 0; who_m && m < who_m->nrows; m++)
                if (notify_user(db_ll(who_m, m, 0), people[who], "mention", "card", card,
                                richtext_summary(&a, person_names[who], "mentioned you", text)) < 0)
                    goto out;
        }
        if (refresh_badges(&a, card, false) < 0)
            goto out;
    }
    rc = 0;
out:
    arena_cleanup(&a);
    return rc;
}
