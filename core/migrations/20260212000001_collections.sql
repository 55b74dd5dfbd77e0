-- One table per collection. `doc` is the document as JSON text in the legacy MongoDB shape;
-- `key` is computed by the adapter from the collection's key fields (`id`, or `userId` +
-- `month` / `date`), or generated for legacy documents that have none. Secondary indexes
-- come from the index catalogue (`Store::ensure_indexes`), not from migrations.

CREATE TABLE IF NOT EXISTS "users" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "customers" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "products" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "orders" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "performancerecords" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "packagingmaterials" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "packagingtransactions" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "warehouses" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "stockledgers" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "procurements" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "distributorprices" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "auditlogs" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "attendances" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "jobs" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "counters" (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
