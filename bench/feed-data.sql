-- bench/feed-data.sql - bulk data for the feed benchmark, generated inside MariaDB.
--
-- Run against the bench database AFTER `portal migrate` and `portal demo`:
--   mariadb --socket=… portal_bench < bench/feed-data.sql
-- or, with another size (rounded up to whole batches of 100,000 posts):
--   (echo 'SET @feed_posts = 200000;'; cat bench/feed-data.sql) | mariadb … portal_bench
--
-- Makes 200 employees in all (the demo's three plus bench004…bench200, every one with
-- the demo password), 8 more groups (10 with Sales and Support; every employee is in
-- one of them, vera stays in Sales and Support), and then per 100,000 posts:
--   posts          100,000  (9 % in the author's group, 1 % important, 1 % mention @vera,
--                           1/3 with a second paragraph, one a minute, newest last)
--   post_comments  100,000  (0–2 a post)
--   post_likes     200,000  (0–4 a post, distinct people)
--   comment_likes   25,000  (every 4th comment)
--   post_mentions    ~1,000,  post_acks ~5 per important post,  files 2 % of posts
-- Two company-wide posts near the top are pinned. Deterministic: the same input gives
-- the same rows. Everything is INSERT … SELECT over the built-in sequence engine
-- (seq_1_to_N), in batches, with foreign-key and unique checks off for this session,
-- and without ORDER BY: joins are forced (STRAIGHT_JOIN) so rows come in key order
-- and no on-disk temporary table is needed (those live in the shared /tmp).
-- The Markdown/HTML pairs are what cmark renders for them.

SET NAMES utf8mb4;
SET @feed_posts = COALESCE(@feed_posts, 1000000);
SET @feed_employees = 200;
SET SESSION foreign_key_checks = 0, unique_checks = 0;

SELECT CONCAT('feed-data: ', @feed_posts, ' posts, ', @feed_employees, ' employees') AS '';

-- ---- people -----------------------------------------------------------------------
SET @hash = (SELECT password_hash FROM users WHERE email = 'vera@demo.example');
SET @have = (SELECT COUNT(*) FROM users WHERE realm = 'employee');
INSERT INTO users (email, name, handle, realm, role, password_hash, created_at, updated_at)
SELECT CONCAT('bench', LPAD(@have + seq, 4, '0'), '@bench.example'),
       CONCAT(ELT(1 + seq % 10, 'Ivan', 'Olga', 'Pyotr', 'Maria', 'Sergei', 'Elena', 'Alexei',
                  'Natalia', 'Dmitri', 'Irina'), ' ',
              ELT(1 + seq * 7 % 10, 'Sokolov', 'Popova', 'Lebedev', 'Kozlova', 'Novikov',
                  'Morozova', 'Volkov', 'Pavlova', 'Fedorov', 'Orlova'), ' ', @have + seq),
       CONCAT('bench', LPAD(@have + seq, 4, '0')), 'employee', IF(seq % 20 = 0, 'manager', 'member'),
       @hash, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
FROM seq_1_to_1000 WHERE seq <= @feed_employees - @have;

-- bench_emp: employee number 0…199 -> user id (dropped at the end)
DROP TABLE IF EXISTS bench_emp, bench_grp;
CREATE TABLE bench_emp (n INT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL) ENGINE=InnoDB;
INSERT INTO bench_emp
SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM users WHERE realm = 'employee' AND disabled = 0
ORDER BY id LIMIT 200;

-- ---- groups: 0 Sales, 1 Support (from the demo), 2…9 new; employee n is in group n % 10
INSERT IGNORE INTO `groups` (name, handle, description, created_by, created_at)
SELECT CONCAT('Bench team ', seq), CONCAT('bench-team-', seq), 'Generated for the feed benchmark',
       (SELECT user_id FROM bench_emp WHERE n = 0), UTC_TIMESTAMP(6)
FROM seq_2_to_9;
CREATE TABLE bench_grp (g INT NOT NULL PRIMARY KEY, group_id BIGINT NOT NULL) ENGINE=InnoDB;
INSERT INTO bench_grp SELECT 0, id FROM `groups` WHERE handle = 'sales';
INSERT INTO bench_grp SELECT 1, id FROM `groups` WHERE handle = 'support';
INSERT INTO bench_grp SELECT seq, (SELECT id FROM `groups` WHERE handle = CONCAT('bench-team-', seq))
FROM seq_2_to_9;
INSERT IGNORE INTO group_members (group_id, user_id, added_at)
SELECT g.group_id, e.user_id, UTC_TIMESTAMP(6) FROM bench_emp e JOIN bench_grp g ON g.g = e.n % 10;

-- ---- posts, comments, likes, in batches of 100,000 posts ------------------------------
DELIMITER //
BEGIN NOT ATOMIC
  DECLARE b INT DEFAULT 0;
  DECLARE batches INT DEFAULT CEIL(@feed_posts / 100000);
  DECLARE lo, hi, k0 BIGINT;
  DECLARE total BIGINT DEFAULT batches * 100000;
  WHILE b < batches DO
    SET lo = (SELECT COALESCE(MAX(id), 0) + 1 FROM posts), k0 = b * 100000;
    INSERT INTO posts (author_id, group_id, body_md, body_html, important, created_at)
    SELECT e.user_id, IF(s.k % 11 = 3, g.group_id, NULL),
           CONCAT(ELT(1 + s.k % 6, 'Weekly update', 'Quick question', 'Thanks, team',
                      'Release notes', 'Office news', 'Customer story'), ' #', s.k, ': ',
                  ELT(1 + s.k * 7 % 5, 'the **new** pricing is live from Monday.',
                      'who has the template for *acts of acceptance*?',
                      'great demo at Romashka LLC today, they want the partner cabinet!',
                      'server maintenance on Saturday, 10:00–12:00 UTC.',
                      'Спасибо всем за отличную работу в этом квартале 🎉'),
                  IF(s.k % 101 = 0, ' cc @vera', ''),
                  IF(s.k % 3 = 0, '\n\nMore details are in the knowledge base; ask in the comments if anything is unclear. Next steps: review, sign-off, and a short retro on Friday.', '')),
           CONCAT('<p>', ELT(1 + s.k % 6, 'Weekly update', 'Quick question', 'Thanks, team',
                      'Release notes', 'Office news', 'Customer story'), ' #', s.k, ': ',
                  ELT(1 + s.k * 7 % 5, 'the <strong>new</strong> pricing is live from Monday.',
                      'who has the template for <em>acts of acceptance</em>?',
                      'great demo at Romashka LLC today, they want the partner cabinet!',
                      'server maintenance on Saturday, 10:00–12:00 UTC.',
                      'Спасибо всем за отличную работу в этом квартале 🎉'),
                  IF(s.k % 101 = 0, ' cc @vera', ''), '</p>\n',
                  IF(s.k % 3 = 0, '<p>More details are in the knowledge base; ask in the comments if anything is unclear. Next steps: review, sign-off, and a short retro on Friday.</p>\n', '')),
           s.k % 97 = 0,
           UTC_TIMESTAMP(6) - INTERVAL (total - s.k) MINUTE
    FROM (SELECT k0 + seq AS k FROM seq_1_to_100000) s
    STRAIGHT_JOIN bench_emp e ON e.n = s.k * 7919 % 200
    STRAIGHT_JOIN bench_grp g ON g.g = (s.k * 7919 % 200) % 10;
    SET hi = (SELECT MAX(id) FROM posts);

    INSERT INTO post_mentions (post_id, user_id)
    SELECT p.id, u.id FROM posts p JOIN users u ON u.handle = 'vera'
    WHERE p.id BETWEEN lo AND hi AND p.body_md LIKE '% cc @vera%';

    INSERT INTO post_comments (post_id, parent_id, author_id, body_md, body_html, created_at)
    SELECT p.id, NULL, e.user_id,
           ELT(1 + (p.id + s.seq) % 4, 'Great news, thanks!', '+1, agreed.',
               'Where can I find the **slides**?', 'Отлично, спасибо!'),
           ELT(1 + (p.id + s.seq) % 4, '<p>Great news, thanks!</p>\n', '<p>+1, agreed.</p>\n',
               '<p>Where can I find the <strong>slides</strong>?</p>\n', '<p>Отлично, спасибо!</p>\n'),
           p.created_at + INTERVAL s.seq * 7 MINUTE
    FROM posts p
    STRAIGHT_JOIN seq_1_to_2 s ON s.seq <= (p.id * 2654435761 DIV 8) % 3
    STRAIGHT_JOIN bench_emp e ON e.n = (p.id + s.seq * 37) % 200
    WHERE p.id BETWEEN lo AND hi;

    INSERT INTO post_likes (post_id, user_id, created_at)
    SELECT p.id, e.user_id, p.created_at + INTERVAL s.seq MINUTE
    FROM posts p
    STRAIGHT_JOIN seq_1_to_4 s ON s.seq <= (p.id * 40503 DIV 16) % 5
    STRAIGHT_JOIN bench_emp e ON e.n = (p.id * 7 + s.seq * 13) % 200
    WHERE p.id BETWEEN lo AND hi;

    INSERT INTO comment_likes (comment_id, user_id, created_at)
    SELECT c.id, e.user_id, c.created_at + INTERVAL 1 MINUTE
    FROM post_comments c STRAIGHT_JOIN bench_emp e ON e.n = c.id * 11 % 200
    WHERE c.post_id BETWEEN lo AND hi AND c.id % 4 = 0;

    INSERT INTO post_acks (post_id, user_id, acked_at)
    SELECT p.id, e.user_id, p.created_at + INTERVAL s.seq HOUR
    FROM posts p STRAIGHT_JOIN seq_1_to_5 s STRAIGHT_JOIN bench_emp e ON e.n = (p.id + s.seq * 17) % 200
    WHERE p.id BETWEEN lo AND hi AND p.important = 1 AND p.group_id IS NULL;

    INSERT INTO files (sha256, size, name, content_type, uploader_id, owner_kind, owner_id, created_at)
    SELECT SHA2(CONCAT('bench', p.id), 256), 1000 + p.id % 90000, CONCAT('report-', p.id, '.pdf'),
           'application/pdf', p.author_id, 'post', p.id, p.created_at
    FROM posts p WHERE p.id BETWEEN lo AND hi AND p.id % 50 = 0;

    SET b = b + 1;
    SELECT CONCAT('feed-data: ', b * 100000, ' / ', total, ' posts') AS '';
  END WHILE;
END//
DELIMITER ;

-- ---- two pinned company-wide posts near the top ----------------------------------------
UPDATE posts SET pinned_at = created_at
WHERE id IN (SELECT id FROM (SELECT id FROM posts WHERE group_id IS NULL AND deleted_at IS NULL
                             ORDER BY id DESC LIMIT 5) t) AND id % 2 = 1
LIMIT 2;

DROP TABLE bench_emp, bench_grp;
SET SESSION foreign_key_checks = 1, unique_checks = 1;
ANALYZE TABLE users, `groups`, group_members, posts, post_comments, post_likes, comment_likes,
  post_acks, post_mentions, files;

-- Written behind the portal's back: cached feed pages are stale on every node.
UPDATE cache_epochs SET n = n + 1 WHERE domain = 'feed';
SELECT CONCAT('feed-data: done: ', (SELECT COUNT(*) FROM posts), ' posts, ',
              (SELECT COUNT(*) FROM post_comments), ' comments, ',
              (SELECT COUNT(*) FROM post_likes), ' likes, ',
              (SELECT COUNT(*) FROM comment_likes), ' comment likes, ',
              (SELECT COUNT(*) FROM users WHERE realm = 'employee'), ' employees') AS '';
