-- The count of a channel or a sentiment (up to 1,001, `COUNT_CAP`) read the table in its physical order,
-- stopping at the 1,001st match: the planner expects the matches spread evenly, but after a write of
-- every customer (the seed's figures, a re-import) the first pages hold next to nothing, and the scan,
-- which starts where the previous one stopped (synchronized scans), crossed 12,000 nearly empty pages
-- now and then: one or two of 21 runs took 20–80 ms where the rest took 5 (bench/RESULTS.md, session 12).
-- With the channel and the sentiment in the orders index, the count reads that index alone (1–3 ms, the
-- same every time); it also lets a channel or sentiment sorted by orders skip in the index.

drop index customer_sort_orders_idx;
create index customer_sort_orders_idx on customer (workspace_id, order_count, total_order_value, id)
    include (latest_purchase_at, average_order_value, channel_id, sentiment_score) where merged_into_id is null;
