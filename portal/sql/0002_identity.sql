-- 0002_identity: accounts (grown by the CRM issue), users of the three realms,
-- sessions, one-time tokens (invitations, password reset), login throttling.

CREATE TABLE IF NOT EXISTS accounts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  kind ENUM('customer','partner','prospect') NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  version INT NOT NULL DEFAULT 1,
  UNIQUE KEY accounts_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS users (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(254) NOT NULL,
  name VARCHAR(200) NOT NULL,
  realm ENUM('employee','customer','partner') NOT NULL,
  role ENUM('admin','manager','member') NULL,
  account_id BIGINT NULL,
  password_hash VARCHAR(255) NULL,
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  locale VARCHAR(8) NOT NULL DEFAULT 'en',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  password_changed_at DATETIME(6) NULL,
  version INT NOT NULL DEFAULT 1,
  UNIQUE KEY users_email (email),
  KEY users_account (account_id),
  CONSTRAINT users_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT users_realm_shape CHECK (
    (realm = 'employee' AND role IS NOT NULL AND account_id IS NULL) OR
    (realm <> 'employee' AND role IS NULL AND account_id IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS sessions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash BINARY(32) NOT NULL,
  user_id BIGINT NOT NULL,
  csrf_token CHAR(43) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  last_seen DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  ip VARCHAR(48) NOT NULL,
  user_agent VARCHAR(255) NOT NULL,
  revoked_at DATETIME(6) NULL,
  UNIQUE KEY sessions_token (token_hash),
  KEY sessions_user (user_id, revoked_at),
  CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS auth_tokens (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind ENUM('invite','reset') NOT NULL,
  token_hash BINARY(32) NOT NULL,
  email VARCHAR(254) NOT NULL,
  user_id BIGINT NULL,
  name VARCHAR(200) NULL,
  realm ENUM('employee','customer','partner') NULL,
  role ENUM('admin','manager','member') NULL,
  account_id BIGINT NULL,
  created_by BIGINT NULL,
  created_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  used_at DATETIME(6) NULL,
  revoked_at DATETIME(6) NULL,
  UNIQUE KEY auth_tokens_hash (token_hash),
  KEY auth_tokens_kind (kind, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS login_throttle (
  k VARCHAR(300) NOT NULL PRIMARY KEY,
  failures INT NOT NULL DEFAULT 0,
  window_start DATETIME(6) NOT NULL,
  blocked_until DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
