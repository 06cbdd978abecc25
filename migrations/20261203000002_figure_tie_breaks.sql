-- Sorted by number of orders, customers with as many orders follow their total order value; sorted by
-- total order value, customers with equal totals follow their number of orders; sorted by average order
-- value, equal averages follow the total (then the id, as before). Besides a more telling order, the
-- orders index then holds each number of orders' customers by total — and by average, which among
-- customers with as many orders is the total divided by their number (`indicators`):
-- * a range of one figure sorted by another (totals by orders or average, orders by total or average) is
--   read one order count at a time (app/src/customers/db/list.rs), each a seek in the orders index, which
--   carries the average for it: `tov_min=1000` by fewest orders first no longer walks through the hundreds
--   of thousands of customers with few orders and small totals, nor orders 2–3 by total through the big
--   spenders;
-- * by lowest total first, the customers without an order (total 0, no orders) come before those with a
--   purchase, so a filter that implies a purchase seeks past them to (0, 1).
-- Some flags ride along in the sort indexes, so that a walk skips non-members in the index alone, as the
-- ranges' figures do (migration `range_columns_included`):
-- * by highest average, VIPs (the biggest totals) lie behind customers with one big order;
-- * by newest registration, guests (who come with an order) lie behind the newest sign-ups, who have not
--   ordered yet;
-- * the count of a channel or a sentiment (up to 1,001, `COUNT_CAP`) read the table in its physical order
--   up to the 1,001st match: after a write of every customer (the seed's figures, a re-import) the first
--   pages hold next to nothing, and the scan, which starts where the previous one stopped (synchronized
--   scans), crossed 12,000 nearly empty pages now and then (20–80 ms in one or two of 21 runs, against
--   5). With channel and sentiment in the orders index, the count reads that index alone (1–3 ms).
-- Figures: bench/RESULTS.md, session 12.

drop index customer_sort_tov_idx;
create index customer_sort_tov_idx on customer (workspace_id, total_order_value, order_count, id)
    include (latest_purchase_at) where merged_into_id is null;
drop index customer_sort_orders_idx;
create index customer_sort_orders_idx on customer (workspace_id, order_count, total_order_value, id)
    include (latest_purchase_at, average_order_value, channel_id, sentiment_score) where merged_into_id is null;
drop index customer_sort_aov_desc_idx;
create index customer_sort_aov_desc_idx on customer (
    workspace_id, (average_order_value is null), coalesce(average_order_value, 0) desc, total_order_value desc,
    id desc) include (average_order_value, order_count, latest_purchase_at, builtin_segments)
    where merged_into_id is null;
drop index customer_sort_aov_asc_idx;
create index customer_sort_aov_asc_idx on customer (
    workspace_id, (average_order_value is null), coalesce(average_order_value, 0), total_order_value, id)
    include (average_order_value, order_count, latest_purchase_at) where merged_into_id is null;
drop index customer_sort_registered_idx;
create index customer_sort_registered_idx on customer (workspace_id, registered_at, id)
    include (total_order_value, order_count, latest_purchase_at, registered) where merged_into_id is null;

-- the flags' and the guests' indexes for these sorts (migrations `list_flags`, `search_words`,
-- `fewer_flag_indexes`) follow
do $$
declare
    ix record;
    def text;
begin
    for ix in
        select indexname, indexdef from pg_indexes
         where schemaname = current_schema() and tablename = 'customer'
           and indexname ~ '^customer_.+_by_(tov|orders|aov_desc|aov_asc)_idx$'
    loop
        def := case substring(ix.indexname from '_by_(tov|orders|aov_desc|aov_asc)_idx$')
            when 'tov' then replace(ix.indexdef, '(workspace_id, total_order_value, id)',
                                    '(workspace_id, total_order_value, order_count, id)')
            when 'orders' then replace(ix.indexdef, '(workspace_id, order_count, id)',
                                       '(workspace_id, order_count, total_order_value, id)')
            when 'aov_desc' then replace(ix.indexdef, ', id DESC)', ', total_order_value DESC, id DESC)')
            else replace(ix.indexdef, ', id)', ', total_order_value, id)')
        end;
        if def = ix.indexdef then
            raise exception 'index % does not have the expected columns: %', ix.indexname, ix.indexdef;
        end if;
        execute format('drop index %I', ix.indexname);
        execute def;
    end loop;
end
$$;
