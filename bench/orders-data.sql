-- bench/orders-data.sql - bulk data for the orders benchmark, generated inside MariaDB.
--
-- Run against the bench database AFTER `portal migrate` and `portal demo`:
--   mariadb --socket=… portal_bench < bench/orders-data.sql
-- or, with other sizes (orders rounded up to whole batches of 100,000):
--   (echo 'SET @orders = 200000, @order_accounts = 2000;'; cat bench/orders-data.sql) | mariadb … portal_bench
--
-- Makes @order_accounts accounts in all (the demo's, then "Bench account NNNNN"; every
-- tenth a partner, owned by one of the demo employees) and @orders orders spread evenly
-- over them: order k belongs to account number k % @order_accounts, so Romashka LLC
-- (carol@client.example's account, the first one) gets its 1/@order_accounts share,
-- newest last. Each order has one to three lines with the totals computed as the portal
-- computes them (VAT per line rounded half up) and a status history from "new" to its
-- status; statuses are spread over the whole workflow. Deterministic; INSERT … SELECT
-- over the sequence engine (seq_1_to_N) in batches, foreign-key and unique checks off.

SET NAMES utf8mb4;
SET @orders = COALESCE(@orders, 1000000);
SET @order_accounts = COALESCE(@order_accounts, 10000);
SET SESSION foreign_key_checks = 0, unique_checks = 0;

SELECT CONCAT('orders-data: ', @orders, ' orders over ', @order_accounts, ' accounts') AS '';

-- ---- accounts ----------------------------------------------------------------------------
SET @have = (SELECT COUNT(*) FROM accounts);
INSERT INTO accounts (name, kind, owner_id, email, created_at, updated_at)
SELECT CONCAT('Bench account ', LPAD(@have + seq, 5, '0')), IF(seq % 10 = 0, 'partner', 'customer'),
       (SELECT id FROM users WHERE email = ELT(1 + seq % 3, 'anna@demo.example', 'boris@demo.example',
                                               'vera@demo.example')),
       CONCAT('office', @have + seq, '@bench.example'), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
FROM seq_1_to_1000000 WHERE seq <= @order_accounts - @have;

-- bench_acc: account number 0…N-1 -> account id, the demo's first (dropped at the end)
DROP TABLE IF EXISTS bench_acc;
CREATE TABLE bench_acc (n INT NOT NULL PRIMARY KEY, account_id BIGINT NOT NULL) ENGINE=InnoDB;
INSERT INTO bench_acc
SELECT n, id FROM (SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM accounts) t
WHERE n < @order_accounts;
SET @creator = (SELECT id FROM users WHERE email = 'boris@demo.example');

-- ---- orders, lines, history, in batches of 100,000 orders ---------------------------------
DELIMITER //
BEGIN NOT ATOMIC
  DECLARE b INT DEFAULT 0;
  DECLARE batches INT DEFAULT CEIL(@orders / 100000);
  DECLARE lo, hi, k0 BIGINT;
  DECLARE total BIGINT DEFAULT batches * 100000;
  WHILE b < batches DO
    SET lo = (SELECT COALESCE(MAX(id), 0) + 1 FROM orders), k0 = b * 100000;
    -- the order rows first, totals 0: the lines below fill them in
    INSERT INTO orders (account_id, order_date, status, currency, subtotal, vat_total, total,
                        item_count, comment, created_by, created_at, updated_at)
    SELECT a.account_id, DATE(UTC_TIMESTAMP(6) - INTERVAL (total - s.k) MINUTE),
           ELT(1 + s.k * 7 % 10, 'new', 'confirmed', 'in_progress', 'shipped', 'delivered',
               'closed', 'closed', 'closed', 'cancelled', 'delivered'),
           'RUB', 0, 0, 0, 1 + s.k % 3, IF(s.k % 5 = 0, 'Delivery to the warehouse, gate 2', ''),
           @creator, UTC_TIMESTAMP(6) - INTERVAL (total - s.k) MINUTE,
           UTC_TIMESTAMP(6) - INTERVAL (total - s.k) MINUTE + INTERVAL 1 HOUR
    FROM (SELECT k0 + seq AS k FROM seq_1_to_100000) s
    STRAIGHT_JOIN bench_acc a ON a.n = s.k % @order_accounts;
    SET hi = (SELECT MAX(id) FROM orders);

    INSERT INTO order_items (order_id, position, product_name, sku, quantity, unit_price, vat_rate,
                             net, vat, total)
    SELECT o.id, s.seq,
           ELT(1 + (o.id + s.seq) % 6, 'Office chair Ergo 200', 'Desk lamp LED',
               'Printer paper A4, 500 sheets', 'Coffee beans, 1 kg', 'Installation service',
               'Monitor 27"'),
           CONCAT('SKU-', (o.id + s.seq) % 6), q.qty, q.price, q.rate,
           q.net, (q.net * q.rate + 5000) DIV 10000, q.net + (q.net * q.rate + 5000) DIV 10000
    FROM orders o
    STRAIGHT_JOIN seq_1_to_3 s ON s.seq <= o.item_count
    STRAIGHT_JOIN (SELECT seq AS m, 1000 * (1 + seq % 9) AS qty, 1990 + seq * 7919 % 2500000 AS price,
                          IF(seq % 5 = 0, 1000, 2000) AS rate,
                          (1000 * (1 + seq % 9) * (1990 + seq * 7919 % 2500000) + 500) DIV 1000 AS net
                   FROM seq_0_to_96) q ON q.m = (o.id * 31 + s.seq) % 97
    WHERE o.id BETWEEN lo AND hi;

    UPDATE orders o JOIN (SELECT order_id, SUM(net) n, SUM(vat) v, SUM(total) t FROM order_items
                          WHERE order_id BETWEEN lo AND hi GROUP BY order_id) i ON i.order_id = o.id
    SET o.subtotal = i.n, o.vat_total = i.v, o.total = i.t;

    -- history: "new", then every step up to the status (cancelled after confirmed)
    INSERT INTO order_status_history (order_id, from_status, to_status, comment, actor_id, created_at)
    SELECT o.id, IF(s.seq = 1, NULL,
                    IF(o.status = 'cancelled', 'new',
                       ELT(s.seq - 1, 'new', 'confirmed', 'in_progress', 'shipped', 'delivered'))),
           IF(o.status = 'cancelled' AND s.seq = 2, 'cancelled',
              ELT(s.seq, 'new', 'confirmed', 'in_progress', 'shipped', 'delivered', 'closed')),
           '', @creator, o.created_at + INTERVAL (s.seq - 1) * 5 MINUTE
    FROM orders o STRAIGHT_JOIN seq_1_to_6 s
      ON s.seq <= IF(o.status = 'cancelled', 2,
                     FIELD(o.status, 'new', 'confirmed', 'in_progress', 'shipped', 'delivered', 'closed'))
    WHERE o.id BETWEEN lo AND hi;

    SET b = b + 1;
    SELECT CONCAT('orders-data: ', b * 100000, ' / ', total, ' orders') AS '';
  END WHILE;
END//
DELIMITER ;

DROP TABLE bench_acc;
SET SESSION foreign_key_checks = 1, unique_checks = 1;
ANALYZE TABLE accounts, orders, order_items, order_status_history;

-- Written behind the portal's back: cached cabinet order lists are stale on every node.
UPDATE cache_epochs SET n = n + 1 WHERE domain = 'orders';

SELECT CONCAT('orders-data: done: ', (SELECT COUNT(*) FROM orders), ' orders, ',
              (SELECT COUNT(*) FROM order_items), ' lines, ',
              (SELECT COUNT(*) FROM order_status_history), ' status changes over ',
              (SELECT COUNT(*) FROM accounts), ' accounts; Romashka LLC has ',
              (SELECT COUNT(*) FROM orders o JOIN accounts a ON a.id = o.account_id
               WHERE a.name = 'Romashka LLC'), ' orders') AS '';
