-- Bulk actions (SPEC §10): one change to every customer a list URL matches, or to customers chosen one by
-- one, run as a job in batches that each commit with their progress; undone as a second phase of the job.
create table bulk_action (
    workspace_id bigint not null,
    job_id bigint not null,
    -- the list's URL query it acts on; none when members chose the customers one by one (`chosen`)
    query text,
    chosen bigint[],
    action text not null check (action in ('set_manager', 'set_mark', 'clear_mark', 'set_subscription',
                                           'add_note', 'set_field')),
    -- the action's value as checked (a member's id, a mark, a subscription, a note, a custom field's value)
    value jsonb not null,
    -- 'apply' while it changes customers; 'undo' once asked to be undone
    phase text not null default 'apply' check (phase in ('apply', 'undo')),
    undone_at timestamptz,
    primary key (workspace_id, job_id),
    foreign key (workspace_id, job_id) references job on delete cascade,
    check ((query is null) <> (chosen is null))
);

-- The customers it acts on, fixed when it starts, in the list's order.
create table bulk_target (
    workspace_id bigint not null,
    job_id bigint not null,
    position integer not null check (position >= 0),
    customer_id bigint not null,
    primary key (workspace_id, job_id, position),
    foreign key (workspace_id, job_id) references bulk_action on delete cascade
);

-- What it changed, customer by customer: the stored value before and after (JSON), or the note it added;
-- `undone` once put back.
create table bulk_change (
    workspace_id bigint not null,
    job_id bigint not null,
    customer_id bigint not null,
    old_value jsonb,
    new_value jsonb,
    note_id bigint,
    undone boolean not null default false,
    primary key (workspace_id, job_id, customer_id),
    foreign key (workspace_id, job_id) references bulk_action on delete cascade,
    foreign key (workspace_id, customer_id) references customer on delete cascade
);
create index bulk_change_to_undo_idx on bulk_change (workspace_id, job_id, customer_id) where not undone;
