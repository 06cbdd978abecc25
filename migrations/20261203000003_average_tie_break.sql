-- Sorted by average order value, equal averages follow the total order value (then the id). Among the
-- customers with as many orders the average is the total divided by their number (`indicators`), so it
-- rises with the total and this order is the total's: a range of totals or of orders sorted by average
-- is then read a page per number of orders from the orders index too (app/src/customers/db/list.rs),
-- which carries the average for it. At a million customers, `tov_min=1000` by lowest average first
-- walked the average's index through the customers with small totals (bench/RESULTS.md, session 12).

drop index customer_sort_orders_idx;
create index customer_sort_orders_idx on customer (workspace_id, order_count, total_order_value, id)
    include (latest_purchase_at, average_order_value) where merged_into_id is null;
-- by highest average, VIPs (the biggest totals) lie behind customers with one big order: the flags in
-- the index skip those in the index alone, as the ranges' figures do (migration `range_columns_included`)
drop index customer_sort_aov_desc_idx;
create index customer_sort_aov_desc_idx on customer (
    workspace_id, (average_order_value is null), coalesce(average_order_value, 0) desc, total_order_value desc,
    id desc) include (average_order_value, order_count, latest_purchase_at, builtin_segments)
    where merged_into_id is null;
drop index customer_sort_aov_asc_idx;
create index customer_sort_aov_asc_idx on customer (
    workspace_id, (average_order_value is null), coalesce(average_order_value, 0), total_order_value, id)
    include (average_order_value, order_count, latest_purchase_at) where merged_into_id is null;

-- likewise, by newest registration, guests (who come with an order) lie behind the newest sign-ups, who
-- have not ordered yet
drop index customer_sort_registered_idx;
create index customer_sort_registered_idx on customer (workspace_id, registered_at, id)
    include (total_order_value, order_count, latest_purchase_at, registered) where merged_into_id is null;

-- the flags' indexes for the two directions (migrations `list_flags`, `fewer_flag_indexes`)
do $$
declare
    ix record;
    def text;
begin
    for ix in
        select indexname, indexdef from pg_indexes
         where schemaname = current_schema() and tablename = 'customer'
           and indexname ~ '^customer_.+_by_aov_(asc|desc)_idx$'
    loop
        def := replace(replace(ix.indexdef, ', id DESC)', ', total_order_value DESC, id DESC)'),
                       ', id)', ', total_order_value, id)');
        if def = ix.indexdef then
            raise exception 'index % does not have the expected columns: %', ix.indexname, ix.indexdef;
        end if;
        execute format('drop index %I', ix.indexname);
        execute def;
    end loop;
end
$$;
