-- 0015_email_normal: one spelling of an email. The portal normalises every address
-- (trimmed, NFC, case-folded: portal/email.c) and compares it byte for byte, so the
-- columns holding addresses (and the throttle keys built from them) use utf8mb4_nopad_bin:
-- under utf8mb4_unicode_ci "ánna@…" or "anna@…" with a trailing no-break space matched
-- anna. Rows written before are lowered and trimmed first, still under the old
-- collation, whose unique key already kept case variants apart. (SQL has no NFC: an
-- address stored decomposed or with an "ß" stays as it was; none are in the demo data.)
-- auth_mail_queue: password-reset requests answered at once and mailed by the
-- scheduler (job auth.reset_mail), so a known and an unknown address cost the same time.
-- Re-runnable: the runner may apply it twice.
UPDATE users SET email = LOWER(TRIM(email))
  WHERE CAST(email AS BINARY) <> CAST(LOWER(TRIM(email)) AS BINARY);
UPDATE auth_tokens SET email = LOWER(TRIM(email))
  WHERE CAST(email AS BINARY) <> CAST(LOWER(TRIM(email)) AS BINARY);
ALTER TABLE users
  MODIFY email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE auth_tokens
  MODIFY email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
-- Keys are "e:<email>", "u:<user id>", "a:<address>" and the like: exact too.
ALTER TABLE login_throttle
  MODIFY k VARCHAR(300) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;

CREATE TABLE IF NOT EXISTS auth_mail_queue (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind ENUM('reset') NOT NULL,
  user_id BIGINT NULL, -- NULL: an unknown address, nothing to send
  created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
