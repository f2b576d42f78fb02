-- 0013_orders_cache: the change counter of the cabinet's order list cache (portal/orders.c).
-- Every order write (create, edit, status change, the demo seed, bench/orders-data.sql)
-- bumps this row in its own transaction; each node polls cache_epochs (portal/epoch.c).
INSERT IGNORE INTO cache_epochs (domain, n) VALUES ('orders', 0);
