-- 0006_account_timeline: what happened with an account, written by every module in the
-- transaction of the change (crm_timeline_add): orders, tickets, documents, contacts.
-- The account page in www/app/ shows it newest first.

CREATE TABLE IF NOT EXISTS account_timeline (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  actor_id BIGINT NULL,
  kind VARCHAR(48) NOT NULL,
  ref_id BIGINT NULL,
  summary VARCHAR(500) NOT NULL,
  KEY account_timeline_account (account_id, id),
  CONSTRAINT account_timeline_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT account_timeline_actor_fk FOREIGN KEY (actor_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
