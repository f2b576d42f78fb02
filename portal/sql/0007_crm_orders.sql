-- 0007_crm_orders: full CRM records (accounts grow their company data, contacts are the
-- people at an account) and orders with their line items and status history. Money is
-- BIGINT minor units (1/100 of the currency) with a CHAR(3) currency; every amount stays
-- below 2^53 so browsers read it exactly. Quantities are thousandths (2.5 kg = 2500),
-- VAT rates basis points (20 % = 2000). An order's number is derived from its id.

ALTER TABLE accounts
  ADD COLUMN IF NOT EXISTS tax_id VARCHAR(32) NULL,
  ADD COLUMN IF NOT EXISTS legal_address VARCHAR(500) NULL,
  ADD COLUMN IF NOT EXISTS shipping_address VARCHAR(500) NULL,
  ADD COLUMN IF NOT EXISTS email VARCHAR(254) NULL,
  ADD COLUMN IF NOT EXISTS phone VARCHAR(50) NULL,
  ADD COLUMN IF NOT EXISTS owner_id BIGINT NULL,
  ADD COLUMN IF NOT EXISTS notes TEXT NULL,
  ADD KEY IF NOT EXISTS accounts_owner (owner_id),
  ADD KEY IF NOT EXISTS accounts_tax_id (tax_id),
  ADD CONSTRAINT accounts_owner_fk FOREIGN KEY IF NOT EXISTS (owner_id) REFERENCES users (id);

CREATE TABLE IF NOT EXISTS contacts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  position VARCHAR(200) NULL,
  email VARCHAR(254) NULL,
  phone VARCHAR(50) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  version INT NOT NULL DEFAULT 1,
  KEY contacts_account (account_id, name),
  KEY contacts_email (email),
  CONSTRAINT contacts_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  order_date DATE NOT NULL,
  status ENUM('new','confirmed','in_progress','shipped','delivered','closed','cancelled')
    NOT NULL DEFAULT 'new',
  currency CHAR(3) NOT NULL,
  subtotal BIGINT NOT NULL,
  vat_total BIGINT NOT NULL,
  total BIGINT NOT NULL,
  item_count INT NOT NULL,
  comment VARCHAR(2000) NOT NULL DEFAULT '', -- shown to the customer
  created_by BIGINT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  version INT NOT NULL DEFAULT 1,
  -- covers the cabinet's list (an account's newest orders): no row lookups
  KEY orders_account (account_id, id, status, order_date, currency, total, item_count, updated_at),
  KEY orders_account_status (account_id, status, id),
  KEY orders_status (status, id),
  CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT orders_creator_fk FOREIGN KEY (created_by) REFERENCES users (id),
  CONSTRAINT orders_amounts CHECK (subtotal >= 0 AND vat_total >= 0 AND total >= 0
    AND total <= 9007199254740991)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS order_items (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  position INT NOT NULL,
  product_name VARCHAR(200) NOT NULL,
  sku VARCHAR(64) NULL,
  quantity BIGINT NOT NULL,   -- thousandths
  unit_price BIGINT NOT NULL, -- minor units, before VAT
  vat_rate INT NOT NULL,      -- basis points
  net BIGINT NOT NULL,
  vat BIGINT NOT NULL,
  total BIGINT NOT NULL,
  KEY order_items_order (order_id, position),
  CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS order_status_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  from_status VARCHAR(16) NULL,
  to_status VARCHAR(16) NOT NULL,
  comment VARCHAR(2000) NOT NULL DEFAULT '', -- shown to the customer
  actor_id BIGINT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY order_status_history_order (order_id, id),
  CONSTRAINT order_status_history_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)
    ON DELETE CASCADE,
  CONSTRAINT order_status_history_actor_fk FOREIGN KEY (actor_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
