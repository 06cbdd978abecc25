-- Ingestion at a million customers (SPEC §8): the VIP threshold needs N, the number of customers with
-- orders and TOV > 0. Counting them on every refresh read ~900,000 index entries (and, after writes
-- cleared the visibility map, as many heap rows). Writers now record how N changed, in the same
-- transaction as the change, as rows of a small append-only table (no row that every writer updates,
-- so concurrent writers never wait for each other); the serialised VIP refresh sums and compacts them,
-- and a full refresh counts from scratch.
create table vip_population (
    workspace_id bigint not null references workspace on delete cascade,
    delta bigint not null
);
create index vip_population_workspace_idx on vip_population (workspace_id);

insert into vip_population (workspace_id, delta)
select workspace_id, count(*) from customer
 where order_count >= 1 and total_order_value > 0 and merged_into_id is null
 group by workspace_id;
