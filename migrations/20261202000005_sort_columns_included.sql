-- The sorts on expressions (latest purchase, customer since, average order value) carry the columns
-- their expressions are computed from. PostgreSQL reads a page from an index alone only when the index
-- holds every column the query names, and an expression does not count as its column: walking these
-- sorts visited each customer's row even when the filter needs nothing but the index (a search's
-- matches are tested by id). Three letters at a million customers walk ~5,400 rows of the default sort
-- for a page: 15 ms with the visits, 2.5 ms without.

drop index customer_sort_latest_purchase_desc_idx;
create index customer_sort_latest_purchase_desc_idx on customer (
    workspace_id,
    coalesce(latest_purchase_at, '-infinity') desc,
    (case when latest_purchase_at is null then registered_at else '-infinity' end) desc,
    last_name, first_name, id) include (latest_purchase_at, registered_at) where merged_into_id is null;
drop index customer_sort_latest_purchase_asc_idx;
create index customer_sort_latest_purchase_asc_idx on customer (
    workspace_id, coalesce(latest_purchase_at, 'infinity'), last_name, first_name, id)
    include (latest_purchase_at) where merged_into_id is null;
drop index customer_sort_aov_desc_idx;
create index customer_sort_aov_desc_idx on customer (
    workspace_id, (average_order_value is null), coalesce(average_order_value, 0) desc, id desc)
    include (average_order_value) where merged_into_id is null;
drop index customer_sort_aov_asc_idx;
create index customer_sort_aov_asc_idx on customer (
    workspace_id, (average_order_value is null), coalesce(average_order_value, 0), id)
    include (average_order_value) where merged_into_id is null;
drop index customer_sort_since_desc_idx;
create index customer_sort_since_desc_idx on customer (workspace_id, coalesce(customer_since, '-infinity') desc, id desc)
    include (customer_since) where merged_into_id is null;
drop index customer_sort_since_asc_idx;
create index customer_sort_since_asc_idx on customer (workspace_id, coalesce(customer_since, 'infinity'), id)
    include (customer_since) where merged_into_id is null;
