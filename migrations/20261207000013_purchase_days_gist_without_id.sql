-- The GiST index of purchase days by registration carried the id, and so served, for the planner, any
-- lookup of a customer by workspace and id that also asks `merged_into_id is null`: a GiST cannot seek an
-- id behind two ranges, so each lookup read the workspace's whole index (0.6 ms a customer at 30,000,
-- quadratic: the seed's search texts of 1,000,000 customers ran for hours; one search text written on
-- a rename read ~10,000 pages). Without the id only the workspace can be sought in it, and such lookups
-- take the primary key. The list reads a page's ids from the rows (a page of heap reads).
drop index customer_purchase_days_by_registered_idx;
create index customer_purchase_days_by_registered_idx on customer
    using gist (workspace_id, latest_purchase_at, registered_at) where merged_into_id is null;
