-- 0011_documents: documents exchanged with customer and partner accounts. A document
-- sits in a folder of one account and has numbered versions, each pointing at a row of
-- `files` (owner_kind 'document'); share links (download) and upload-request links are
-- stored by the SHA-256 of their token; every view, download and link upload is written
-- to doc_access_log. Password guesses on links are throttled in login_throttle (keys
-- 'sl:<link id>' and 'sa:<address>'). Folder kinds: 'shared' (the account's users see
-- it), 'inbox' (where the account's users upload; employees review), 'internal'
-- (employees only).

CREATE TABLE IF NOT EXISTS doc_folders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  kind ENUM('shared','inbox','internal') NOT NULL,
  created_by BIGINT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY doc_folders_name (account_id, name),
  CONSTRAINT doc_folders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS documents (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  folder_id BIGINT NOT NULL,
  title VARCHAR(255) NOT NULL,
  current_version_id BIGINT NULL,
  versions INT NOT NULL DEFAULT 0,
  size BIGINT NOT NULL DEFAULT 0,          -- bytes of every version (quota)
  needs_ack TINYINT(1) NOT NULL DEFAULT 0,
  ack_requested_at DATETIME(6) NULL,
  ack_requested_by BIGINT NULL,
  reviewed_at DATETIME(6) NULL,            -- inbox uploads: when an employee reviewed it
  reviewed_by BIGINT NULL,
  created_by BIGINT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  version INT NOT NULL DEFAULT 1,          -- optimistic lock for PATCH
  KEY documents_account (account_id, id),
  KEY documents_folder (folder_id, id),
  CONSTRAINT documents_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT documents_folder_fk FOREIGN KEY (folder_id) REFERENCES doc_folders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS document_versions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  document_id BIGINT NOT NULL,
  number INT NOT NULL,
  file_id BIGINT NOT NULL,
  name VARCHAR(255) NOT NULL,
  size BIGINT NOT NULL,
  sha256 CHAR(64) NOT NULL,
  content_type VARCHAR(127) NOT NULL,
  uploader_id BIGINT NULL,                 -- NULL: uploaded through an upload-request link
  link_id BIGINT NULL,
  comment VARCHAR(1000) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY document_versions_number (document_id, number),
  CONSTRAINT document_versions_doc_fk FOREIGN KEY (document_id) REFERENCES documents (id),
  CONSTRAINT document_versions_file_fk FOREIGN KEY (file_id) REFERENCES files (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS document_acks (
  document_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  version_id BIGINT NOT NULL,              -- the version that was current when acknowledged
  acked_at DATETIME(6) NOT NULL,
  ip VARCHAR(48) NOT NULL,
  PRIMARY KEY (document_id, user_id),
  CONSTRAINT document_acks_doc_fk FOREIGN KEY (document_id) REFERENCES documents (id),
  CONSTRAINT document_acks_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS doc_links (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind ENUM('download','upload') NOT NULL,
  token_hash BINARY(32) NOT NULL,
  account_id BIGINT NOT NULL,
  document_id BIGINT NULL,                 -- download links
  folder_id BIGINT NULL,                   -- upload-request links
  password_hash VARCHAR(255) NULL,
  expires_at DATETIME(6) NOT NULL,
  max_uses INT NULL,                       -- downloads (or uploads) allowed; NULL = no limit
  uses INT NOT NULL DEFAULT 0,
  revoked_at DATETIME(6) NULL,
  revoked_by BIGINT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY doc_links_token (token_hash),
  KEY doc_links_document (document_id, id),
  KEY doc_links_folder (folder_id, id),
  CONSTRAINT doc_links_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT doc_links_shape CHECK (
    (kind = 'download' AND document_id IS NOT NULL AND folder_id IS NULL) OR
    (kind = 'upload' AND folder_id IS NOT NULL AND document_id IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS doc_access_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  document_id BIGINT NOT NULL,
  version_id BIGINT NULL,
  action ENUM('view','download','upload') NOT NULL,
  user_id BIGINT NULL,
  link_id BIGINT NULL,
  ip VARCHAR(48) NOT NULL,
  at DATETIME(6) NOT NULL,
  KEY doc_access_log_document (document_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Bytes of every version of an account's documents, locked by each upload (quota).
CREATE TABLE IF NOT EXISTS doc_quota (
  account_id BIGINT NOT NULL PRIMARY KEY,
  used BIGINT NOT NULL DEFAULT 0,
  CONSTRAINT doc_quota_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
