-- Customers nearly always register before they buy: sorted by registration with a last day of purchase,
-- the list walks the registrations from that day and reads the few who registered after their latest
-- purchase (a guest order, then an account) from this index beside them. It carries what the
-- registrations' own index carries (`customer_sort_registered_idx`), so that the planner, which guesses
-- a third of the customers for the condition, still finds it the cheaper. Empty for most workspaces.
create index customer_registered_after_last_purchase_idx on customer (workspace_id, registered_at, id)
    include (total_order_value, order_count, latest_purchase_at, registered)
    where merged_into_id is null and registered_at > latest_purchase_at;
