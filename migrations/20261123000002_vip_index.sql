-- The VIP threshold is the k-th largest TOV among customers with orders (SPEC §3): this index finds it,
-- and the customers near it, without sorting the workspace.
create index customer_vip_idx on customer (workspace_id, total_order_value desc)
    where order_count >= 1 and total_order_value > 0 and merged_into_id is null;
