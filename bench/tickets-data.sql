-- bench/tickets-data.sql - bulk data for the ticket-queue benchmark, generated inside MariaDB.
--
-- Run against the bench database AFTER `portal migrate` and `portal demo`:
--   mariadb --socket=… portal_bench < bench/tickets-data.sql
-- or with other sizes (tickets rounded up to whole batches of 100,000):
--   (echo 'SET @tickets = 200000, @ticket_accounts = 2000;'; cat bench/tickets-data.sql) | mariadb … portal_bench
--
-- Makes @ticket_accounts customer accounts (default 10,000) with one cabinet user each,
-- 20 support agents in all (the demo's employees plus bench agents), and @tickets tickets
-- (default 1,000,000), one a minute, newest last, spread evenly over the accounts (100
-- each at the defaults). Like a help desk that has run for two years: everything older
-- than the newest 20,000 is closed (95 %) or resolved (5 %); among the newest 20,000,
-- 15 % are new, 25 % open, 20 % waiting for the customer, 15 % resolved, 25 % closed.
-- Priorities: 10 % low, 50 % normal, 30 % high, 10 % urgent. New tickets and a third of
-- the open ones have no assignee; the rest are spread over the 20 agents (vera among them).
-- SLA due times here are plain wall-clock offsets per priority (the C code computes the
-- real ones in business hours); sla_due follows the same rule as the portal, so the
-- active tickets older than their targets are overdue (several thousand).
-- No messages: the queue never reads them. Deterministic: the same input gives the same rows.
-- The last statement fills bench_ticket_paths with the queue requests bench/tickets-run sends.

SET NAMES utf8mb4;
SET @tickets = COALESCE(@tickets, 1000000);
SET @ticket_accounts = COALESCE(@ticket_accounts, 10000);
SET SESSION foreign_key_checks = 0, unique_checks = 0;

SELECT CONCAT('tickets-data: ', @tickets, ' tickets over ', @ticket_accounts, ' accounts') AS '';

-- ---- accounts, their customers, agents -------------------------------------------------
SET @hash = (SELECT password_hash FROM users WHERE email = 'carol@client.example');
INSERT IGNORE INTO accounts (name, kind, created_at, updated_at)
SELECT CONCAT('Bench customer ', LPAD(seq, 6, '0')), 'customer', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
FROM seq_1_to_1000000 WHERE seq <= @ticket_accounts;

DROP TABLE IF EXISTS bench_tacc, bench_agent;
CREATE TABLE bench_tacc (n INT NOT NULL PRIMARY KEY, account_id BIGINT NOT NULL,
                         user_id BIGINT NULL) ENGINE=InnoDB;
INSERT INTO bench_tacc (n, account_id)
SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM accounts WHERE name LIKE 'Bench customer %';

INSERT IGNORE INTO users (email, name, handle, realm, account_id, password_hash, created_at, updated_at)
SELECT CONCAT('customer', b.n, '@bench-tickets.example'), CONCAT('Bench Customer ', b.n),
       CONCAT('btcust', b.n), 'customer', b.account_id, @hash, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
FROM bench_tacc b;
UPDATE bench_tacc b JOIN users u ON u.email = CONCAT('customer', b.n, '@bench-tickets.example')
SET b.user_id = u.id;

SET @have = (SELECT COUNT(*) FROM users WHERE realm = 'employee');
INSERT IGNORE INTO users (email, name, handle, realm, role, password_hash, created_at, updated_at)
SELECT CONCAT('agent', seq, '@bench-tickets.example'), CONCAT('Bench Agent ', seq),
       CONCAT('btagent', seq), 'employee', 'member', @hash, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
FROM seq_1_to_20 WHERE seq <= 20 - @have;
CREATE TABLE bench_agent (n INT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL) ENGINE=InnoDB;
INSERT INTO bench_agent
SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM users WHERE realm = 'employee' AND disabled = 0
ORDER BY id LIMIT 20;

-- ---- tickets, in batches of 100,000 ----------------------------------------------------
DELIMITER //
BEGIN NOT ATOMIC
  DECLARE b INT DEFAULT 0;
  DECLARE batches INT DEFAULT CEIL(@tickets / 100000);
  DECLARE total BIGINT DEFAULT batches * 100000;
  DECLARE k0 BIGINT;
  WHILE b < batches DO
    SET k0 = b * 100000;
    INSERT INTO tickets (account_id, requester_id, subject, status, priority, assignee_id,
                         created_by, created_at, updated_at, last_message_at, first_response_due,
                         first_response_at, resolution_due, resolved_at, closed_at, sla_due,
                         rating, rating_comment)
    SELECT x.account_id, x.user_id, x.subject, x.status, x.priority,
           IF(x.status = 'new' OR (x.status = 'open' AND x.k DIV 7 % 3 = 0), NULL, x.agent),
           x.user_id, x.created, x.created, x.created,
           x.created + INTERVAL x.fr_hours HOUR,
           IF(x.status = 'new', NULL, x.created + INTERVAL 30 MINUTE),
           x.created + INTERVAL x.res_hours HOUR,
           IF(x.status IN ('resolved', 'closed'), x.created + INTERVAL 5 HOUR, NULL),
           IF(x.status = 'closed', x.created + INTERVAL 53 HOUR, NULL),
           CASE WHEN x.status IN ('resolved', 'closed') THEN NULL
                WHEN x.status = 'new' THEN x.created + INTERVAL LEAST(x.fr_hours, x.res_hours) HOUR
                ELSE x.created + INTERVAL x.res_hours HOUR END,
           IF(x.status = 'closed' AND x.k % 4 = 0, 1 + x.k % 5, NULL), NULL
    FROM (
      SELECT s.k, a.account_id, a.user_id, g.user_id AS agent,
             CONCAT(ELT(1 + s.k % 8, 'Invoice question', 'Delivery delayed', 'Wrong quantity',
                        'Access to the cabinet', 'Certificate needed', 'Price list',
                        'Damaged goods', 'Change of address'), ' #', s.k) AS subject,
             CASE WHEN s.k <= total - 20000 THEN IF(s.k % 20 = 0, 'resolved', 'closed')
                  ELSE ELT(1 + (s.k * 2654435761 DIV 16) % 20, 'new', 'new', 'new', 'open', 'open', 'open',
                           'open', 'open', 'waiting', 'waiting', 'waiting', 'waiting',
                           'resolved', 'resolved', 'resolved', 'closed', 'closed', 'closed',
                           'closed', 'closed') END AS status,
             ELT(1 + (s.k * 40503 DIV 64) % 10, 'low', 'normal', 'normal', 'normal', 'normal', 'normal',
                 'high', 'high', 'high', 'urgent') AS priority,
             ELT(1 + (s.k * 40503 DIV 64) % 10, 16, 8, 8, 8, 8, 8, 4, 4, 4, 1) AS fr_hours,
             ELT(1 + (s.k * 40503 DIV 64) % 10, 80, 40, 40, 40, 40, 40, 24, 24, 24, 8) AS res_hours,
             UTC_TIMESTAMP(6) - INTERVAL (total - s.k) MINUTE AS created
      FROM (SELECT k0 + seq AS k FROM seq_1_to_100000) s
      STRAIGHT_JOIN bench_tacc a ON a.n = s.k % @ticket_accounts
      STRAIGHT_JOIN bench_agent g ON g.n = (s.k * 97 DIV 5) % 20
    ) x;
    SET b = b + 1;
  END WHILE;
END//
DELIMITER ;

SET SESSION foreign_key_checks = 1, unique_checks = 1;
ANALYZE TABLE accounts, users, tickets;

-- ---- the queue requests to measure -----------------------------------------------------
-- Every filter alone and in the combinations a support team uses, a few accounts, and
-- a deep keyset page. vera (the benchmark's employee) is one of the agents.
DROP TABLE IF EXISTS bench_ticket_paths;
CREATE TABLE bench_ticket_paths (n INT NOT NULL AUTO_INCREMENT PRIMARY KEY, path VARCHAR(300) NOT NULL) ENGINE=InnoDB;
SET @mid = (SELECT id FROM tickets ORDER BY id LIMIT 1 OFFSET 500000);
SET @mid = COALESCE(@mid, (SELECT MAX(id) FROM tickets) DIV 2);
SET @vera = (SELECT id FROM users WHERE email = 'vera@demo.example');
INSERT INTO bench_ticket_paths (path) VALUES
  ('/api/v1/tickets?limit=50'),
  ('/api/v1/tickets?status=new'),
  ('/api/v1/tickets?status=open'),
  ('/api/v1/tickets?status=waiting'),
  ('/api/v1/tickets?status=open&priority=urgent'),
  ('/api/v1/tickets?priority=high'),
  ('/api/v1/tickets?assignee=me'),
  ('/api/v1/tickets?assignee=me&status=open'),
  ('/api/v1/tickets?assignee=none'),
  ('/api/v1/tickets?assignee=none&priority=urgent'),
  (CONCAT('/api/v1/tickets?assignee=', @vera, '&status=waiting')),
  ('/api/v1/tickets?overdue=1'),
  ('/api/v1/tickets?overdue=1&priority=urgent'),
  ('/api/v1/tickets?overdue=1&assignee=me'),
  ('/api/v1/tickets?status=closed'),
  ('/api/v1/tickets?status=resolved&priority=low'),
  (CONCAT('/api/v1/tickets?status=closed&before=', @mid)),
  (CONCAT('/api/v1/tickets?before=', @mid));
INSERT INTO bench_ticket_paths (path)
SELECT CONCAT('/api/v1/tickets?account_id=', account_id,
              ELT(1 + n % 3, '', '&status=closed', '&priority=high'))
FROM bench_tacc WHERE n % (@ticket_accounts DIV 12) = 7 LIMIT 12;
DROP TABLE bench_tacc, bench_agent;

SELECT CONCAT('tickets-data: done: ', (SELECT COUNT(*) FROM tickets), ' tickets, ',
              (SELECT COUNT(*) FROM tickets WHERE sla_due IS NOT NULL), ' active, ',
              (SELECT COUNT(*) FROM tickets WHERE sla_due < UTC_TIMESTAMP(6)), ' overdue, ',
              (SELECT COUNT(*) FROM accounts), ' accounts, ',
              (SELECT COUNT(*) FROM bench_ticket_paths), ' queue requests') AS '';
