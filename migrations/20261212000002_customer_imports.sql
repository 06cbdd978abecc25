-- Customer imports (SPEC §11): a file of customers (Shopify's customer export) read by a job into one
-- channel, a row at a time; rows that cannot be read are kept with their line and why.
alter table job drop constraint job_kind_check;
alter table job add constraint job_kind_check check (kind in ('export', 'bulk', 'import'));

create table customer_import (
    workspace_id bigint not null,
    job_id bigint not null,
    channel_id bigint not null,
    format text not null check (format in ('shopify_customers')),
    -- the file as uploaded (UTF-8)
    content text not null,
    -- what the last run did: customers created, updated, found unchanged
    created integer not null default 0 check (created >= 0),
    updated integer not null default 0 check (updated >= 0),
    unchanged integer not null default 0 check (unchanged >= 0),
    primary key (workspace_id, job_id),
    foreign key (workspace_id, job_id) references job on delete cascade,
    foreign key (workspace_id, channel_id) references channel on delete cascade
);
alter table customer_import alter column content set storage external;

create table customer_import_problem (
    workspace_id bigint not null,
    job_id bigint not null,
    -- the line of the file where the row starts (the header is line 1)
    line integer not null check (line > 0),
    reason text not null,
    primary key (workspace_id, job_id, line),
    foreign key (workspace_id, job_id) references customer_import on delete cascade
);
