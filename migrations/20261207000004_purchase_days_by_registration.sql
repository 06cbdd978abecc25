-- Purchase days sorted by registration (SPEC §8: any one filter with any sort). Customers register before
-- they buy, so those who last bought in an early window registered early: sorted by newest registration,
-- a walk of the registrations' index crossed every later registration first (525,000 customers, 67–96 ms
-- at 1,100,000, bench/RESULTS.md session 15). A B-tree orders by one column and bounds by that one; a
-- GiST index bounds the latest purchase and hands the rows out nearest first to a far-off registration
-- time (then id), which is the order of registrations (app/src/customers/list/sql.rs): a page is read
-- without crossing anyone outside the days.
create extension if not exists btree_gist;
create index customer_purchase_days_by_registered_idx on customer
    using gist (workspace_id, latest_purchase_at, registered_at, id) where merged_into_id is null;
