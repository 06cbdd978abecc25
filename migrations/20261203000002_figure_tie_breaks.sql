-- Sorted by number of orders, customers with as many orders follow their total order value; sorted by
-- total order value, customers with equal totals follow their number of orders (then the id, as before).
-- Besides a more telling order, each of the two figures' indexes then holds the other in order:
-- * a range of one figure sorted by the other is read one order count at a time (app/src/customers/db/
--   list.rs), each a seek in the orders index: `tov_min=1000` by fewest orders first no longer walks
--   through the hundreds of thousands of customers with few orders and small totals, nor orders 2–3 by
--   total through the big spenders;
-- * by lowest total first, the customers without an order (total 0, no orders) come before those with a
--   purchase, so a filter that implies a purchase seeks past them to (0, 1).
-- The flags' and the guests' indexes for these two sorts (migrations `list_flags`, `search_words`) follow.

drop index customer_sort_tov_idx;
create index customer_sort_tov_idx on customer (workspace_id, total_order_value, order_count, id)
    include (latest_purchase_at) where merged_into_id is null;
drop index customer_sort_orders_idx;
create index customer_sort_orders_idx on customer (workspace_id, order_count, total_order_value, id)
    include (latest_purchase_at) where merged_into_id is null;

do $$
declare
    ix record;
    def text;
begin
    for ix in
        select indexname, indexdef from pg_indexes
         where schemaname = current_schema() and tablename = 'customer'
           and indexname ~ '^customer_.+_by_(tov|orders)_idx$'
    loop
        def := replace(replace(ix.indexdef,
                               '(workspace_id, total_order_value, id)',
                               '(workspace_id, total_order_value, order_count, id)'),
                       '(workspace_id, order_count, id)',
                       '(workspace_id, order_count, total_order_value, id)');
        if def = ix.indexdef then
            raise exception 'index % does not have the expected columns: %', ix.indexname, ix.indexdef;
        end if;
        execute format('drop index %I', ix.indexname);
        execute def;
    end loop;
end
$$;
