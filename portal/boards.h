/* boards.h - projects, boards with ordered columns, and cards (tasks). */
#ifndef PORTAL_BOARDS_H
#define PORTAL_BOARDS_H

#include "http.h"

/* Registers the "card" file-owner rule and the members of "project:N" and "board:N". */
int boards_init(void);
int boards_register_jobs(void); /* the due-date reminder job */

/* Projects, their members, boards and labels. */
int boards_projects_list(struct req *r);
int boards_project_create(struct req *r);
int boards_project_get(struct req *r);
int boards_project_update(struct req *r);
int boards_board_create(struct req *r);
int boards_label_create(struct req *r);
int boards_label_update(struct req *r);
int boards_label_delete(struct req *r);

/* A board, its columns and its cards. */
int boards_board_get(struct req *r);
int boards_board_update(struct req *r);
int boards_column_create(struct req *r);
int boards_column_update(struct req *r);
int boards_columns_reorder(struct req *r);
int boards_card_create(struct req *r);

/* Cards. */
int boards_card_get(struct req *r);
int boards_card_update(struct req *r);
int boards_card_move(struct req *r);
int boards_card_activity(struct req *r);
int boards_comment_create(struct req *r);
int boards_checklist_add(struct req *r);
int boards_checklist_update(struct req *r);
int boards_checklist_delete(struct req *r);
int boards_my_tasks(struct req *r); /* GET /api/v1/me/tasks */

/* Demo data: two projects (one for "Romashka LLC") with cards in several columns. 0/-1. */
int boards_demo_seed(void);

#endif
