-- 0005_boards: projects with members and an optional CRM account, boards with ordered
-- columns (WIP limit, "done" flag), project labels, cards ordered by a sparse sort key
-- inside their column, assignees, labels, checklist items, comments and the activity
-- history of every card.

CREATE TABLE IF NOT EXISTS projects (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  description VARCHAR(2000) NOT NULL DEFAULT '',
  account_id BIGINT NULL,
  archived TINYINT(1) NOT NULL DEFAULT 0,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  version INT NOT NULL DEFAULT 1,
  KEY projects_account (account_id),
  KEY projects_name (name),
  CONSTRAINT projects_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT projects_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS project_members (
  project_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  added_at DATETIME(6) NOT NULL,
  PRIMARY KEY (project_id, user_id),
  KEY project_members_user (user_id, project_id),
  CONSTRAINT project_members_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
  CONSTRAINT project_members_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS boards (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  project_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  position INT NOT NULL DEFAULT 0,
  archived TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  KEY boards_project (project_id, position),
  CONSTRAINT boards_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A move locks its source and target rows here (SELECT ... FOR UPDATE, in id order):
-- the column row is the mutex over the order of the cards in it.
CREATE TABLE IF NOT EXISTS board_columns (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  board_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  position INT NOT NULL DEFAULT 0,
  wip_limit INT NULL,
  done TINYINT(1) NOT NULL DEFAULT 0,
  archived TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY board_columns_board (board_id, id),
  KEY board_columns_order (board_id, position),
  CONSTRAINT board_columns_board_fk FOREIGN KEY (board_id) REFERENCES boards (id) ON DELETE CASCADE,
  CONSTRAINT board_columns_wip CHECK (wip_limit IS NULL OR wip_limit BETWEEN 1 AND 10000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS labels (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  project_id BIGINT NOT NULL,
  name VARCHAR(50) NOT NULL,
  color CHAR(7) NOT NULL,
  UNIQUE KEY labels_name (project_id, name),
  CONSTRAINT labels_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- sort_key orders the cards of a column: a move takes a key between its neighbours'
-- and the column is renumbered only when two neighbours have no key left between
-- them. The unique key makes a duplicated position impossible, and the composite
-- foreign key a card in a column of another board.
CREATE TABLE IF NOT EXISTS cards (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  board_id BIGINT NOT NULL,
  column_id BIGINT NOT NULL,
  sort_key BIGINT NOT NULL,
  title VARCHAR(300) NOT NULL,
  description_md MEDIUMTEXT NOT NULL,
  description_html MEDIUMTEXT NOT NULL,
  priority ENUM('low','normal','high','urgent') NOT NULL DEFAULT 'normal',
  due_date DATE NULL,
  archived TINYINT(1) NOT NULL DEFAULT 0,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  version INT NOT NULL DEFAULT 1,
  due_soon_sent DATE NULL, -- the due date a "due tomorrow" reminder went out for
  overdue_sent DATE NULL,  -- the due date an "overdue" reminder went out for
  -- The badges a board shows, copied from card_assignees, card_labels, card_checklist,
  -- card_comments and files in the transaction that changes them, so a board of
  -- thousands of cards is one read of this table.
  assignee_ids VARCHAR(420) NOT NULL DEFAULT '',
  label_ids VARCHAR(420) NOT NULL DEFAULT '',
  has_description TINYINT(1) AS (description_md <> '') STORED,
  checklist_total SMALLINT NOT NULL DEFAULT 0,
  checklist_done SMALLINT NOT NULL DEFAULT 0,
  comment_count INT NOT NULL DEFAULT 0,
  file_count SMALLINT NOT NULL DEFAULT 0,
  UNIQUE KEY cards_order (column_id, sort_key),
  KEY cards_board (board_id, column_id, archived, sort_key),
  KEY cards_due (due_date),
  CONSTRAINT cards_column_fk FOREIGN KEY (board_id, column_id) REFERENCES board_columns (board_id, id),
  CONSTRAINT cards_board_fk FOREIGN KEY (board_id) REFERENCES boards (id) ON DELETE CASCADE,
  CONSTRAINT cards_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS card_assignees (
  card_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  PRIMARY KEY (card_id, user_id),
  KEY card_assignees_user (user_id, card_id),
  CONSTRAINT card_assignees_card_fk FOREIGN KEY (card_id) REFERENCES cards (id) ON DELETE CASCADE,
  CONSTRAINT card_assignees_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS card_labels (
  card_id BIGINT NOT NULL,
  label_id BIGINT NOT NULL,
  PRIMARY KEY (card_id, label_id),
  KEY card_labels_label (label_id, card_id),
  CONSTRAINT card_labels_card_fk FOREIGN KEY (card_id) REFERENCES cards (id) ON DELETE CASCADE,
  CONSTRAINT card_labels_label_fk FOREIGN KEY (label_id) REFERENCES labels (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS card_checklist (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  card_id BIGINT NOT NULL,
  position INT NOT NULL,
  text VARCHAR(500) NOT NULL,
  done TINYINT(1) NOT NULL DEFAULT 0,
  done_by BIGINT NULL,
  done_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  KEY card_checklist_card (card_id, position),
  CONSTRAINT card_checklist_card_fk FOREIGN KEY (card_id) REFERENCES cards (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS card_comments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  card_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  body_md MEDIUMTEXT NOT NULL,
  body_html MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY card_comments_card (card_id, id),
  CONSTRAINT card_comments_card_fk FOREIGN KEY (card_id) REFERENCES cards (id) ON DELETE CASCADE,
  CONSTRAINT card_comments_author_fk FOREIGN KEY (author_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS card_activity (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  card_id BIGINT NOT NULL,
  actor_id BIGINT NULL,
  kind VARCHAR(32) NOT NULL,
  details LONGTEXT NOT NULL CHECK (JSON_VALID(details)),
  created_at DATETIME(6) NOT NULL,
  KEY card_activity_card (card_id, id),
  CONSTRAINT card_activity_card_fk FOREIGN KEY (card_id) REFERENCES cards (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
