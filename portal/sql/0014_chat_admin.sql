-- 0014_chat_admin: channel settings. An archived channel (archived_at set) is read-only:
-- its history stays readable, nobody sends, edits or reacts there, and lists hide it
-- unless asked (?archived=1). version guards concurrent settings changes.
-- Re-runnable: the runner may apply it twice.
ALTER TABLE chat_channels
  ADD COLUMN IF NOT EXISTS archived_at DATETIME(6) NULL,
  ADD COLUMN IF NOT EXISTS archived_by BIGINT NULL,
  ADD COLUMN IF NOT EXISTS version INT NOT NULL DEFAULT 1;
