-- bench/ws-data.sql - people, sessions and one-time tickets for the realtime benchmark
-- (bench/ws-load.c), generated inside MariaDB. Run against the bench database AFTER
-- `portal migrate` and `portal demo`:
--   { echo "SET @ws_conns = 10000, @ws_members = 1000;"; cat bench/ws-data.sql; } | mariadb portal_bench
-- Makes @ws_conns employees (wsbench00001@bench.example …), each with a session and one
-- ticket 'wsbench' + 36-digit number (valid for an hour: the load client opens them over
-- a minute), and a chat channel 900001 whose members are the first @ws_members of them.

SET NAMES utf8mb4;
SET @ws_conns = COALESCE(@ws_conns, 10000);
SET @ws_members = COALESCE(@ws_members, 1000);
SET SESSION foreign_key_checks = 0;

SET @hash = (SELECT password_hash FROM users WHERE email = 'vera@demo.example');
INSERT IGNORE INTO users (email, name, handle, realm, role, password_hash, created_at, updated_at)
SELECT CONCAT('wsbench', LPAD(seq, 5, '0'), '@bench.example'), CONCAT('WS Bench ', seq),
       CONCAT('wsbench', seq), 'employee', 'member', @hash, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
FROM seq_1_to_100000 WHERE seq <= @ws_conns;

DROP TABLE IF EXISTS bench_ws;
CREATE TABLE bench_ws (n INT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL) ENGINE=InnoDB;
INSERT INTO bench_ws SELECT CAST(SUBSTRING(email, 8, 5) AS UNSIGNED), id FROM users
WHERE email LIKE 'wsbench%@bench.example';

DELETE t FROM realtime_tickets t JOIN sessions s ON s.id = t.session_id
  JOIN bench_ws b ON b.user_id = s.user_id;
DELETE s FROM sessions s JOIN bench_ws b ON b.user_id = s.user_id;
INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen, expires_at, ip, user_agent)
SELECT UNHEX(SHA2(CONCAT('wsbench-session-', b.n, '-', RAND()), 256)), b.user_id, REPEAT('c', 43),
       UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 DAY, '127.0.0.1', 'ws-load'
FROM bench_ws b WHERE b.n <= @ws_conns;

INSERT INTO realtime_tickets (token_hash, session_id, created_at, expires_at)
SELECT UNHEX(SHA2(CONCAT('wsbench', LPAD(b.n, 36, '0')), 256)), s.id, UTC_TIMESTAMP(6),
       UTC_TIMESTAMP(6) + INTERVAL 1 HOUR
FROM bench_ws b JOIN sessions s ON s.user_id = b.user_id WHERE b.n <= @ws_conns;

DELETE FROM chat_members WHERE channel_id = 900001;
INSERT IGNORE INTO chat_channels (id, kind, name, topic, created_by, created_at)
SELECT 900001, 'public', 'ws-bench', 'realtime benchmark', MIN(user_id), UTC_TIMESTAMP(6) FROM bench_ws;
INSERT INTO chat_members (channel_id, user_id, joined_at)
SELECT 900001, user_id, UTC_TIMESTAMP(6) FROM bench_ws WHERE n <= @ws_members;

SELECT CONCAT('ws-data: users=', (SELECT COUNT(*) FROM bench_ws WHERE n <= @ws_conns),
              ' tickets=', (SELECT COUNT(*) FROM realtime_tickets WHERE used_at IS NULL
                            AND expires_at > UTC_TIMESTAMP(6)),
              ' members=', (SELECT COUNT(*) FROM chat_members WHERE channel_id = 900001)) AS '';
DROP TABLE bench_ws;
