-- Two walks that did not start where they should (bench/RESULTS.md, session 15):
--
-- * Sorted by highest average, the customers without an average come last: the sort led with
--   `average_order_value is null` ascending and then the averages descending. A page after a cursor is
--   a seek to the cursor's row only along leading columns that go the same way, so deep pages walked
--   from the first customer (page 25 of a search: 200,000 customers crossed, 50–90 ms). The same order
--   led by `average_order_value is not null` descending goes one way throughout
--   (app/src/customers/list/sort.rs).
-- * Sorted by name, the registered customers lay behind 80,000 guests without a name (the shop's
--   guest checkouts), whom the walk fetched from the table to read their flag: the names' index carries
--   it, as the registration dates' does.
do $$
declare
    ix record;
    def text;
begin
    for ix in
        select indexname, indexdef from pg_indexes
         where schemaname = current_schema() and tablename = 'customer' and indexname ~ '_aov_desc_idx$'
    loop
        def := replace(ix.indexdef, '((average_order_value IS NULL)), COALESCE(average_order_value, (0)::numeric) DESC',
                       '((average_order_value IS NOT NULL)) DESC, COALESCE(average_order_value, (0)::numeric) DESC');
        if def = ix.indexdef then
            raise exception 'index % does not have the expected columns: %', ix.indexname, ix.indexdef;
        end if;
        execute format('drop index %I', ix.indexname);
        execute def;
    end loop;
end
$$;

drop index customer_sort_name_idx;
create index customer_sort_name_idx on customer (workspace_id, last_name, first_name, id)
    include (total_order_value, order_count, latest_purchase_at, registered) where merged_into_id is null;
