-- The customer list (SPEC §4): one index per sort, on exactly the expressions the list orders by (see
-- app/src/customers/db/list.rs), so that a page — first or deep, through keyset cursors — is an index
-- range scan; search indexes that forgive typos (pg_trgm); indexes for the selective filters.

create extension if not exists pg_trgm;

create index customer_sort_latest_purchase_desc_idx on customer (
    workspace_id,
    coalesce(latest_purchase_at, '-infinity') desc,
    (case when latest_purchase_at is null then registered_at else '-infinity' end) desc,
    last_name, first_name, id) where merged_into_id is null;
create index customer_sort_latest_purchase_asc_idx on customer (
    workspace_id, coalesce(latest_purchase_at, 'infinity'), last_name, first_name, id)
    where merged_into_id is null;
create index customer_sort_name_idx on customer (workspace_id, last_name, first_name, id)
    where merged_into_id is null;
create index customer_sort_tov_idx on customer (workspace_id, total_order_value, id) where merged_into_id is null;
create index customer_sort_orders_idx on customer (workspace_id, order_count, id) where merged_into_id is null;
create index customer_sort_aov_desc_idx on customer (
    workspace_id, (average_order_value is null), coalesce(average_order_value, 0) desc, id desc)
    where merged_into_id is null;
create index customer_sort_aov_asc_idx on customer (
    workspace_id, (average_order_value is null), coalesce(average_order_value, 0), id)
    where merged_into_id is null;
create index customer_sort_since_desc_idx on customer (workspace_id, coalesce(customer_since, '-infinity') desc, id desc)
    where merged_into_id is null;
create index customer_sort_since_asc_idx on customer (workspace_id, coalesce(customer_since, 'infinity'), id)
    where merged_into_id is null;
create index customer_sort_registered_idx on customer (workspace_id, registered_at, id) where merged_into_id is null;

-- search: names and emails by trigrams (typos), phones by their digits, orders by number
create index customer_name_trgm_idx on customer using gin (lower(first_name || ' ' || last_name) gin_trgm_ops);
create index customer_email_trgm_idx on customer_email using gin (normalized gin_trgm_ops);
create index customer_phone_digits_idx on customer_phone using gin (regexp_replace(raw, '\D', '', 'g') gin_trgm_ops);
create index customer_order_number_idx on customer_order (workspace_id, number);

-- selective filters
create index customer_manager_idx on customer (workspace_id, manager_id) where manager_id is not null;
create index customer_marks_idx on customer (workspace_id, id) where vip_mark or bad_mark;
create index ticket_open_idx on ticket (workspace_id, customer_id) where status <> 'resolved';
