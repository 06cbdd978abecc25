-- A customer's figures are recomputed from all their orders whenever one of them is stored: a batch of
-- a thousand orders at a million customers reads some 20,000 orders of its 800 customers. The index of a
-- customer's orders carries the columns the figures are computed from, so that PostgreSQL reads them
-- from the index alone (on pages VACUUM has marked all-visible) instead of visiting each order's row:
-- 150 → 80 ms for those 800 customers, and the batch's lock on its customers is held that much less
-- (ingestion, two workers: ~1,700 → ~3,000 orders/s; bench/RESULTS.md, session 9).

drop index customer_order_customer_idx;
create index customer_order_customer_idx on customer_order (workspace_id, customer_id, placed_at desc, id desc)
    include (status, test, total, refunded, paid, exchange_rate);
