-- 0001_core: the shared services every feature uses: outbox, file store, scheduler
-- leases, audit log. Re-runnable (IF NOT EXISTS): MariaDB commits DDL one statement
-- at a time, so a migration that died half-way must be safe to run again.

CREATE TABLE IF NOT EXISTS event (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  created_at DATETIME(6) NOT NULL,
  type VARCHAR(64) NOT NULL,
  audience VARCHAR(128) NOT NULL,
  payload LONGTEXT NOT NULL CHECK (JSON_VALID(payload)),
  KEY event_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS files (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sha256 CHAR(64) NOT NULL,
  size BIGINT NOT NULL,
  name VARCHAR(255) NOT NULL,
  content_type VARCHAR(127) NOT NULL,
  uploader_id BIGINT NULL,
  owner_kind VARCHAR(32) NULL,
  owner_id BIGINT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY files_owner (owner_kind, owner_id),
  KEY files_sha (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS job_lease (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  owner VARCHAR(64) NULL,
  lease_until DATETIME(6) NULL,
  last_started DATETIME(6) NULL,
  last_finished DATETIME(6) NULL,
  last_status VARCHAR(16) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS meta (
  k VARCHAR(64) NOT NULL PRIMARY KEY,
  v VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS audit (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(6) NOT NULL,
  actor_id BIGINT NULL,
  actor_realm VARCHAR(16) NOT NULL,
  action VARCHAR(64) NOT NULL,
  object_type VARCHAR(32) NOT NULL,
  object_id BIGINT NULL,
  ip VARCHAR(48) NOT NULL,
  details LONGTEXT NULL CHECK (details IS NULL OR JSON_VALID(details)),
  KEY audit_at (at),
  KEY audit_actor (actor_id, at),
  KEY audit_object (object_type, object_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
