-- 0004_kb: knowledge base spaces, articles (a tree per space) and every revision.

CREATE TABLE IF NOT EXISTS kb_spaces (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  description VARCHAR(500) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY kb_spaces_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS kb_articles (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  space_id BIGINT NOT NULL,
  parent_id BIGINT NULL,
  position INT NOT NULL DEFAULT 0,
  title VARCHAR(300) NOT NULL,
  body_md MEDIUMTEXT NOT NULL,
  body_html MEDIUMTEXT NOT NULL,
  tags VARCHAR(500) NOT NULL DEFAULT '',
  visibility ENUM('internal','public') NOT NULL DEFAULT 'internal',
  status ENUM('draft','published') NOT NULL DEFAULT 'published',
  revision INT NOT NULL DEFAULT 1,
  author_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY kb_articles_space (space_id, parent_id, position),
  KEY kb_articles_public (visibility, status, id),
  FULLTEXT KEY kb_articles_ft (title, body_md, tags),
  FULLTEXT KEY kb_articles_title_ft (title),
  CONSTRAINT kb_articles_space_fk FOREIGN KEY (space_id) REFERENCES kb_spaces (id),
  CONSTRAINT kb_articles_parent_fk FOREIGN KEY (parent_id) REFERENCES kb_articles (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS kb_revisions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  article_id BIGINT NOT NULL,
  rev INT NOT NULL,
  title VARCHAR(300) NOT NULL,
  body_md MEDIUMTEXT NOT NULL,
  tags VARCHAR(500) NOT NULL DEFAULT '',
  visibility ENUM('internal','public') NOT NULL,
  status ENUM('draft','published') NOT NULL,
  author_id BIGINT NOT NULL,
  summary VARCHAR(300) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY kb_revisions_rev (article_id, rev),
  CONSTRAINT kb_revisions_article_fk FOREIGN KEY (article_id) REFERENCES kb_articles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
