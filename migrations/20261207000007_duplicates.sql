-- Possible duplicates (SPEC §9). Each customer's blocking keys (normalised email, phone digits, the
-- sound of a surname with a given name's initial, postal code with a house number or a surname's
-- sound): customers sharing a key are compared field by field; the pairs probably one person are listed
-- with their score and reasons, best first; a pair dismissed as "not the same" never comes back.
create table customer_match_key (
    workspace_id bigint not null,
    key text not null,
    customer_id bigint not null,
    primary key (workspace_id, key, customer_id),
    foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index customer_match_key_customer_idx on customer_match_key (workspace_id, customer_id);

create table duplicate_pair (
    workspace_id bigint not null,
    customer_a bigint not null,
    customer_b bigint not null,
    score real not null check (score >= 0 and score <= 1),
    reasons text[] not null,
    found_at timestamptz not null,
    primary key (workspace_id, customer_a, customer_b),
    check (customer_a < customer_b),
    foreign key (workspace_id, customer_a) references customer (workspace_id, id) on delete cascade,
    foreign key (workspace_id, customer_b) references customer (workspace_id, id) on delete cascade
);
create index duplicate_pair_best_idx on duplicate_pair (workspace_id, score desc, customer_a, customer_b);
create index duplicate_pair_second_idx on duplicate_pair (workspace_id, customer_b);

create table duplicate_dismissal (
    workspace_id bigint not null,
    customer_a bigint not null,
    customer_b bigint not null,
    dismissed_by bigint references user_account on delete set null,
    dismissed_at timestamptz not null,
    primary key (workspace_id, customer_a, customer_b),
    check (customer_a < customer_b),
    foreign key (workspace_id, customer_a) references customer (workspace_id, id) on delete cascade,
    foreign key (workspace_id, customer_b) references customer (workspace_id, id) on delete cascade
);

-- customers written since they were last compared, worked off in the background (a refresh that fails
-- leaves them queued; one that succeeds takes them off in the same transaction)
create table duplicate_check (
    workspace_id bigint not null,
    customer_id bigint not null,
    queued_at timestamptz not null,
    primary key (workspace_id, customer_id),
    foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index duplicate_check_queued_idx on duplicate_check (queued_at);
