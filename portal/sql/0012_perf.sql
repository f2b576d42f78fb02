-- 0012_perf: change counters for the in-process caches of every portal node (portal/epoch.c).
-- A node caches sessions and feed pages; a change bumps a row here in its own
-- transaction, and each node polls this table every 100 ms, so a logout, a revoked
-- session, a disabled user or a new post on one node reaches the caches of all nodes.
-- Sessions and users are bumped by triggers, whichever module writes them; the feed
-- bumps its row from portal/feed.c, the knowledge base (its search index) from kb/kb.c.

CREATE TABLE IF NOT EXISTS cache_epochs (
  domain VARCHAR(16) NOT NULL PRIMARY KEY,
  n BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO cache_epochs (domain, n) VALUES ('auth', 0), ('feed', 0), ('kb', 0);

-- A session revoked (or removed) and any change of a user (role, name, disabled,
-- password) end what the session caches hold. The touch of last_seen changes nothing.
CREATE TRIGGER IF NOT EXISTS sessions_epoch_update AFTER UPDATE ON sessions FOR EACH ROW
  UPDATE cache_epochs SET n = n + 1
  WHERE domain = 'auth' AND NOT (OLD.revoked_at <=> NEW.revoked_at AND OLD.expires_at <=> NEW.expires_at
    AND OLD.user_id <=> NEW.user_id AND OLD.token_hash <=> NEW.token_hash);
CREATE TRIGGER IF NOT EXISTS sessions_epoch_delete AFTER DELETE ON sessions FOR EACH ROW
  UPDATE cache_epochs SET n = n + 1 WHERE domain = 'auth';
CREATE TRIGGER IF NOT EXISTS users_epoch_update AFTER UPDATE ON users FOR EACH ROW
  UPDATE cache_epochs SET n = n + 1 WHERE domain = 'auth';
CREATE TRIGGER IF NOT EXISTS users_epoch_delete AFTER DELETE ON users FOR EACH ROW
  UPDATE cache_epochs SET n = n + 1 WHERE domain = 'auth';

-- An article view is one query: the files query runs only for articles that have files.
ALTER TABLE kb_articles ADD COLUMN IF NOT EXISTS has_files TINYINT(1) NOT NULL DEFAULT 0;
UPDATE kb_articles a SET a.has_files = 1
  WHERE EXISTS (SELECT 1 FROM files f WHERE f.owner_kind = 'kb_article' AND f.owner_id = a.id);
