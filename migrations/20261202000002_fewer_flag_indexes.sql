-- Ingestion at a million customers (SPEC §8): every write of a customer row adds an entry to each index
-- whose condition the row meets, and the flags of migration `list_flags` gave buyers ten indexes per
-- segment they are in. Measured at 1,000,000 customers (`bench/RESULTS.md`, session 5): an index is
-- kept only where a walk of the sort's base index would pass many thousands of non-members before the
-- first page's members — the segments' members sit at the far end of that sort. Where they are spread
-- through it (the newest purchases first for every buyer segment, say), the base index finds them.
-- The list also adds what a segment's rule implies for the order count (app/src/customers/db/list.rs),
-- so "by orders" seeks past the customers with too few orders to be in it.
drop index customer_vip_by_latest_purchase_desc_idx;
drop index customer_vip_by_aov_desc_idx;
drop index customer_vip_by_since_desc_idx;
drop index customer_vip_by_since_asc_idx;

drop index customer_repeat_customer_by_latest_purchase_desc_idx;
drop index customer_repeat_customer_by_orders_idx;
drop index customer_repeat_customer_by_aov_desc_idx;
drop index customer_repeat_customer_by_since_desc_idx;
drop index customer_repeat_customer_by_since_asc_idx;

drop index customer_active_customer_by_latest_purchase_desc_idx;
drop index customer_active_customer_by_since_desc_idx;

drop index customer_new_customer_by_latest_purchase_desc_idx;
drop index customer_new_customer_by_name_idx;
drop index customer_new_customer_by_orders_idx;
drop index customer_new_customer_by_aov_desc_idx;
drop index customer_new_customer_by_aov_asc_idx;
drop index customer_new_customer_by_since_desc_idx;

-- Guests are a fifth of the customers and spread through every sort but the two where one order each
-- puts them last: by value and by number of orders, highest first.
drop index customer_guest_by_latest_purchase_desc_idx;
drop index customer_guest_by_latest_purchase_asc_idx;
drop index customer_guest_by_name_idx;
drop index customer_guest_by_aov_desc_idx;
drop index customer_guest_by_aov_asc_idx;
drop index customer_guest_by_since_desc_idx;
drop index customer_guest_by_since_asc_idx;
drop index customer_guest_by_registered_idx;
