-- The orders list (SPEC §4 `/orders`): every order of the workspace, newest first, paged by keyset on
-- (placed_at, id); the list filtered to one customer uses `customer_order_customer_idx`.
create index customer_order_placed_idx on customer_order (workspace_id, placed_at desc, id desc);
