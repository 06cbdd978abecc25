-- A broad search alone sorted by name or registration walks the search texts in the sort's order and tests
-- each one's text (migration `search_sorts`). The text was read from the table, one page of it for each
-- row walked (3.6 µs a text: 5,000 texts in 18 ms); carried in the sort's indexes, the walk reads the
-- indexes alone (0.6 µs a text), so it can go far enough to find a page of matches one customer in three
-- hundred shares. Past that, the matches are few enough to sort (bench/RESULTS.md, session 23).

drop index customer_search_by_name_idx;
drop index customer_search_by_registration_idx;
create index customer_search_by_name_idx on customer_search (workspace_id, last_name, first_name, customer_id)
    include (search_text);
create index customer_search_by_registration_idx on customer_search (workspace_id, registered_at, customer_id)
    include (search_text);

-- an index-only walk reads a row from the table when its page has changed since the last vacuum: vacuum
-- the search texts after 2% of them changed, not the default 20%
alter table customer_search set (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
