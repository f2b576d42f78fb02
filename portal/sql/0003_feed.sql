-- 0003_feed: handles for @mentions, groups, posts with versions, comments, likes,
-- acknowledgements of important posts, mentions, and notifications.

ALTER TABLE users ADD COLUMN IF NOT EXISTS handle VARCHAR(64) NULL AFTER name;
UPDATE users u
  JOIN (SELECT LOWER(SUBSTRING_INDEX(email, '@', 1)) AS l, COUNT(*) AS n FROM users GROUP BY l) c
    ON c.l = LOWER(SUBSTRING_INDEX(u.email, '@', 1))
  SET u.handle = IF(c.n = 1, c.l, CONCAT(c.l, u.id))
  WHERE u.handle IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS users_handle ON users (handle);

CREATE TABLE IF NOT EXISTS `groups` (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  handle VARCHAR(64) NOT NULL,
  description VARCHAR(500) NOT NULL DEFAULT '',
  created_by BIGINT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY groups_name (name),
  UNIQUE KEY groups_handle (handle)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS group_members (
  group_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  added_at DATETIME(6) NOT NULL,
  PRIMARY KEY (group_id, user_id),
  KEY group_members_user (user_id),
  CONSTRAINT group_members_group_fk FOREIGN KEY (group_id) REFERENCES `groups` (id) ON DELETE CASCADE,
  CONSTRAINT group_members_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS posts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  author_id BIGINT NOT NULL,
  group_id BIGINT NULL,
  body_md MEDIUMTEXT NOT NULL,
  body_html MEDIUMTEXT NOT NULL,
  important TINYINT(1) NOT NULL DEFAULT 0,
  pinned_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  edited_at DATETIME(6) NULL,
  deleted_at DATETIME(6) NULL,
  version INT NOT NULL DEFAULT 1,
  KEY posts_author (author_id, id),
  KEY posts_group (group_id, id),
  KEY posts_pinned (pinned_at),
  CONSTRAINT posts_author_fk FOREIGN KEY (author_id) REFERENCES users (id),
  CONSTRAINT posts_group_fk FOREIGN KEY (group_id) REFERENCES `groups` (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS post_versions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  post_id BIGINT NOT NULL,
  body_md MEDIUMTEXT NOT NULL,
  edited_by BIGINT NOT NULL,
  edited_at DATETIME(6) NOT NULL,
  KEY post_versions_post (post_id, id),
  CONSTRAINT post_versions_post_fk FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS post_comments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  post_id BIGINT NOT NULL,
  parent_id BIGINT NULL,
  author_id BIGINT NOT NULL,
  body_md MEDIUMTEXT NOT NULL,
  body_html MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  deleted_at DATETIME(6) NULL,
  KEY post_comments_post (post_id, id),
  CONSTRAINT post_comments_post_fk FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE,
  CONSTRAINT post_comments_author_fk FOREIGN KEY (author_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS post_likes (
  post_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (post_id, user_id),
  CONSTRAINT post_likes_post_fk FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE,
  CONSTRAINT post_likes_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS comment_likes (
  comment_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (comment_id, user_id),
  CONSTRAINT comment_likes_comment_fk FOREIGN KEY (comment_id) REFERENCES post_comments (id) ON DELETE CASCADE,
  CONSTRAINT comment_likes_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS post_acks (
  post_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  acked_at DATETIME(6) NOT NULL,
  PRIMARY KEY (post_id, user_id),
  CONSTRAINT post_acks_post_fk FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE,
  CONSTRAINT post_acks_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS post_mentions (
  post_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  PRIMARY KEY (post_id, user_id),
  KEY post_mentions_user (user_id, post_id),
  CONSTRAINT post_mentions_post_fk FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS notifications (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  actor_id BIGINT NULL,
  object_type VARCHAR(32) NOT NULL,
  object_id BIGINT NOT NULL,
  summary VARCHAR(300) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  read_at DATETIME(6) NULL,
  KEY notifications_user (user_id, id),
  KEY notifications_unread (user_id, read_at),
  CONSTRAINT notifications_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
