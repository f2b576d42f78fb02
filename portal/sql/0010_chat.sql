-- 0010_chat: chat channels (public, private, direct, small groups) with their members
-- and read markers, messages with threads, reactions and mentions. Typing and presence
-- are the realtime gateway's (0009): they travel over the websocket and are not kept.

CREATE TABLE IF NOT EXISTS chat_channels (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind ENUM('public','private','direct','group') NOT NULL,
  name VARCHAR(80) NULL,          -- public and private channels; NULL for conversations
  direct_key VARCHAR(200) NULL,   -- direct/group: the sorted member ids "3:7:9"
  topic VARCHAR(250) NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY chat_channels_name (name),
  UNIQUE KEY chat_channels_direct (direct_key),
  KEY chat_channels_kind (kind, name),
  CONSTRAINT chat_channels_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The gateway resolves the "channel:ID" audience through this table.
CREATE TABLE IF NOT EXISTS chat_members (
  channel_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  role ENUM('owner','member') NOT NULL DEFAULT 'member',
  joined_at DATETIME(6) NOT NULL,
  last_read_id BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (channel_id, user_id),
  KEY chat_members_user (user_id, channel_id),
  CONSTRAINT chat_members_channel_fk FOREIGN KEY (channel_id) REFERENCES chat_channels (id) ON DELETE CASCADE,
  CONSTRAINT chat_members_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- client_id makes a send idempotent: a repeat of (author, client_id) is the same message.
CREATE TABLE IF NOT EXISTS chat_messages (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  channel_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  parent_id BIGINT NULL,          -- thread root (always a top-level message)
  client_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  body_md TEXT NOT NULL,
  body_html MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  edited_at DATETIME(6) NULL,
  deleted_at DATETIME(6) NULL,
  reply_count INT NOT NULL DEFAULT 0,
  last_reply_at DATETIME(6) NULL,
  UNIQUE KEY chat_messages_client (author_id, client_id),
  KEY chat_messages_channel (channel_id, parent_id, id),
  KEY chat_messages_thread (parent_id, id),
  FULLTEXT KEY chat_messages_body (body_md),
  CONSTRAINT chat_messages_channel_fk FOREIGN KEY (channel_id) REFERENCES chat_channels (id) ON DELETE CASCADE,
  CONSTRAINT chat_messages_author_fk FOREIGN KEY (author_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Emoji compare byte for byte: the unicode collation would call many of them equal.
CREATE TABLE IF NOT EXISTS chat_reactions (
  message_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  emoji VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id),
  CONSTRAINT chat_reactions_message_fk FOREIGN KEY (message_id) REFERENCES chat_messages (id) ON DELETE CASCADE,
  CONSTRAINT chat_reactions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS chat_mentions (
  message_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  PRIMARY KEY (message_id, user_id),
  KEY chat_mentions_user (user_id),
  CONSTRAINT chat_mentions_message_fk FOREIGN KEY (message_id) REFERENCES chat_messages (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
