-- A search sorted by registration (SPEC §8: search p95 ≤ 50 ms with any sort). The newest registrations
-- are often a batch that matches no search (the guests of a shop connected last week): a walk along the
-- registrations' index crossed them all first (`Mia` newest first: 60 ms past 130,000 such guests,
-- bench/RESULTS.md session 15). The search texts carry the registration time as they carry the names
-- (migration `search_names`): a search alone sorted by registration is sorted where its matches are found.

alter table customer_search add column registered_at timestamptz;

update customer_search s set registered_at = c.registered_at
  from customer c
 where c.workspace_id = s.workspace_id and c.id = s.customer_id;

alter table customer_search alter column registered_at set not null;

create or replace function refresh_search_text(ws bigint[], customers bigint[]) returns void language sql as $$
    insert into customer_search (workspace_id, customer_id, search_text, first_name, last_name, registered_at)
    select c.workspace_id, c.id, customer_search_text(c.workspace_id, c.id, c.first_name, c.last_name),
           c.first_name, c.last_name, c.registered_at
      from customer c
      join (select distinct * from unnest(ws, customers)) t(workspace_id, id)
        on t.workspace_id = c.workspace_id and t.id = c.id
     where c.merged_into_id is null
    on conflict (workspace_id, customer_id) do update
       set search_text = excluded.search_text, first_name = excluded.first_name, last_name = excluded.last_name,
           registered_at = excluded.registered_at
     where (customer_search.search_text, customer_search.first_name, customer_search.last_name,
            customer_search.registered_at)
           is distinct from (excluded.search_text, excluded.first_name, excluded.last_name, excluded.registered_at)
$$;

create trigger customer_search_registration_changed after update of registered_at on customer
    for each row when (old.registered_at is distinct from new.registered_at)
    execute function search_text_of_renamed_customer();

analyze customer_search;
