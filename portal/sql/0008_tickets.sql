-- 0008_tickets: support tickets of an account, their message threads (public replies
-- and internal notes), SLA due times and the customer's rating of the resolution.
-- sla_due is the next SLA deadline still pending (first response, else resolution) and
-- NULL once the ticket is resolved or closed: the queue's overdue flag is sla_due < now.

CREATE TABLE IF NOT EXISTS tickets (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  requester_id BIGINT NOT NULL,
  subject VARCHAR(200) NOT NULL,
  status ENUM('new','open','waiting','resolved','closed') NOT NULL DEFAULT 'new',
  priority ENUM('low','normal','high','urgent') NOT NULL DEFAULT 'normal',
  assignee_id BIGINT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  last_message_at DATETIME(6) NOT NULL,
  first_response_due DATETIME(6) NULL,
  first_response_at DATETIME(6) NULL,
  resolution_due DATETIME(6) NULL,
  resolved_at DATETIME(6) NULL,
  closed_at DATETIME(6) NULL,
  sla_due DATETIME(6) NULL,
  rating TINYINT NULL,
  rating_comment VARCHAR(1000) NULL,
  rated_at DATETIME(6) NULL,
  version INT NOT NULL DEFAULT 1,
  KEY tickets_account (account_id, id),
  KEY tickets_status (status, id),
  KEY tickets_assignee (assignee_id, id),
  KEY tickets_priority (priority, id),
  KEY tickets_sla (sla_due),
  CONSTRAINT tickets_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT tickets_requester_fk FOREIGN KEY (requester_id) REFERENCES users (id),
  CONSTRAINT tickets_assignee_fk FOREIGN KEY (assignee_id) REFERENCES users (id),
  CONSTRAINT tickets_rating_range CHECK (rating IS NULL OR rating BETWEEN 1 AND 5)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS ticket_messages (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ticket_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  internal TINYINT(1) NOT NULL DEFAULT 0,
  body_md MEDIUMTEXT NOT NULL,
  body_html MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY ticket_messages_ticket (ticket_id, id),
  CONSTRAINT ticket_messages_ticket_fk FOREIGN KEY (ticket_id) REFERENCES tickets (id) ON DELETE CASCADE,
  CONSTRAINT ticket_messages_author_fk FOREIGN KEY (author_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
