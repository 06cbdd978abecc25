-- A pair listed because each of the two is probably one person with a third customer (`through`): two
-- records of one person can differ in everything but what each shares with a third. Null for a pair
-- judged on its own. Removed with the third customer.
alter table duplicate_pair
    add column through bigint,
    add foreign key (workspace_id, through) references customer (workspace_id, id) on delete cascade;
create index duplicate_pair_through_idx on duplicate_pair (workspace_id, through) where through is not null;
