-- The customers of a large export in the list's order, for its one statement to join (a million ids as one
-- parameter cost their encoding twice in the server's memory, 24 MB). Written by the export's own reading
-- transaction, which otherwise only reads and ends rolled back: nothing here is ever committed, so it is
-- unlogged and has no index (the statement reads it whole).
create unlogged table export_target (
    workspace_id bigint not null,
    job_id bigint not null,
    position integer not null,
    customer_id bigint not null
);
