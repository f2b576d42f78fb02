-- 0009_realtime: one-time tickets that open the realtime websocket (single use across
-- every node, 30 s), and presence (online/away) of the users connected to each node,
-- kept alive by the node's heartbeat and reaped when it stops. Typing indicators and
-- presence changes travel as outbox events that are purged after a few minutes.

CREATE TABLE IF NOT EXISTS realtime_tickets (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash BINARY(32) NOT NULL,
  session_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  used_at DATETIME(6) NULL,
  UNIQUE KEY realtime_tickets_token (token_hash),
  KEY realtime_tickets_expires (expires_at),
  CONSTRAINT realtime_tickets_session_fk FOREIGN KEY (session_id) REFERENCES sessions (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS presence (
  user_id BIGINT NOT NULL,
  node VARCHAR(96) NOT NULL,
  state ENUM('online','away') NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (user_id, node),
  KEY presence_node (node),
  KEY presence_updated (updated_at),
  CONSTRAINT presence_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The purge of short-lived events (typing, presence) looks them up by type and age.
CREATE INDEX IF NOT EXISTS event_type_created ON event (type, created_at);
