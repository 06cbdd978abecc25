-- The duplicate finder's blocking keys are derived data, like an index: rebuilt by every scan, rewritten
-- with each write of a customer. Their foreign key to `customer` was checked once per key, 8.8 million
-- checks (63 s of a first scan's 175 s at a million customers) for rows that no one else reads. Customers
-- are not deleted by the app; whoever deletes them outside it removes their keys too (scripts/lib.sh
-- `remove_channel_customers` does), and a key left behind only proposes a customer the comparison no
-- longer finds.
alter table customer_match_key drop constraint customer_match_key_workspace_id_customer_id_fkey;
