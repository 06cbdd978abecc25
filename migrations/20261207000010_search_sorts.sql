-- A broad search alone sorted by name or registration (more matches than the list collects beforehand:
-- three letters of a common name) walks the search texts in the sort's order, testing each one's text, where
-- it walked the customers' sort index and looked up each one's search text (twice the work: `q=Har` sorted
-- by name, page 22, 73.7 ms; bench/RESULTS.md session 17). The search texts carry the names and the
-- registration time (migrations `search_names`, `search_registration`).

create index customer_search_by_name_idx on customer_search (workspace_id, last_name, first_name, customer_id);
create index customer_search_by_registration_idx on customer_search (workspace_id, registered_at, customer_id);
