-- Every sort's index carries the three figures the list's ranges filter on (total order value, number of
-- orders, latest purchase: `tov_min`/`tov_max`, `orders_min`/`orders_max`, `purchased_from`/`purchased_to`).
-- A range sorted by another figure walks the sort's index and skips the customers outside the range;
-- where the two figures go together (few orders, low total), it skips hundreds of thousands before a page
-- is full. With the range's figure in the index the walk skips them in the index alone instead of
-- visiting each customer's row: at a million customers, `tov_min=1000` by fewest orders first crosses
-- 344,000 customers, p95 283 → 79 ms; orders 2–3 by highest total crosses 210,000, 291 → 48 ms
-- (bench/RESULTS.md, session 11).
-- The columns are written on every change of a customer's figures anyway, when these indexes are
-- already rewritten (a figure is a key of one of them, so the update is never HOT): they add bytes to
-- each entry, not writes.

drop index customer_sort_latest_purchase_desc_idx;
create index customer_sort_latest_purchase_desc_idx on customer (
    workspace_id,
    coalesce(latest_purchase_at, '-infinity') desc,
    (case when latest_purchase_at is null then registered_at else '-infinity' end) desc,
    last_name, first_name, id) include (latest_purchase_at, registered_at, total_order_value, order_count)
    where merged_into_id is null;
drop index customer_sort_latest_purchase_asc_idx;
create index customer_sort_latest_purchase_asc_idx on customer (
    workspace_id, coalesce(latest_purchase_at, 'infinity'), last_name, first_name, id)
    include (latest_purchase_at, total_order_value, order_count) where merged_into_id is null;
drop index customer_sort_name_idx;
create index customer_sort_name_idx on customer (workspace_id, last_name, first_name, id)
    include (total_order_value, order_count, latest_purchase_at) where merged_into_id is null;
drop index customer_sort_tov_idx;
create index customer_sort_tov_idx on customer (workspace_id, total_order_value, id)
    include (order_count, latest_purchase_at) where merged_into_id is null;
drop index customer_sort_orders_idx;
create index customer_sort_orders_idx on customer (workspace_id, order_count, id)
    include (total_order_value, latest_purchase_at) where merged_into_id is null;
drop index customer_sort_aov_desc_idx;
create index customer_sort_aov_desc_idx on customer (
    workspace_id, (average_order_value is null), coalesce(average_order_value, 0) desc, id desc)
    include (average_order_value, total_order_value, order_count, latest_purchase_at) where merged_into_id is null;
drop index customer_sort_aov_asc_idx;
create index customer_sort_aov_asc_idx on customer (
    workspace_id, (average_order_value is null), coalesce(average_order_value, 0), id)
    include (average_order_value, total_order_value, order_count, latest_purchase_at) where merged_into_id is null;
drop index customer_sort_since_desc_idx;
create index customer_sort_since_desc_idx on customer (workspace_id, coalesce(customer_since, '-infinity') desc, id desc)
    include (customer_since, total_order_value, order_count, latest_purchase_at) where merged_into_id is null;
drop index customer_sort_since_asc_idx;
create index customer_sort_since_asc_idx on customer (workspace_id, coalesce(customer_since, 'infinity'), id)
    include (customer_since, total_order_value, order_count, latest_purchase_at) where merged_into_id is null;
drop index customer_sort_registered_idx;
create index customer_sort_registered_idx on customer (workspace_id, registered_at, id)
    include (total_order_value, order_count, latest_purchase_at) where merged_into_id is null;
