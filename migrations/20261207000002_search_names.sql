-- A search sorted by name (SPEC §8: search p95 ≤ 50 ms with any sort). What matches a few letters of
-- a name sits together in the order of names ("mey": the Meyers), so a walk along the names' index
-- crossed everyone before them (100–130 ms at 1,100,000 customers, bench/RESULTS.md session 15), and
-- reading the matches' names from the customers was a look-up per match (9,700 of them: 35 ms). The
-- search texts carry the names as well: a search alone sorted by name is read from them
-- (app/src/customers/list/sql.rs), the matches sorted where they are found.

alter table customer_search add column first_name text not null default '',
                            add column last_name text not null default '';

update customer_search s set first_name = c.first_name, last_name = c.last_name
  from customer c
 where c.workspace_id = s.workspace_id and c.id = s.customer_id;

create or replace function refresh_search_text(ws bigint[], customers bigint[]) returns void language sql as $$
    insert into customer_search (workspace_id, customer_id, search_text, first_name, last_name)
    select c.workspace_id, c.id, customer_search_text(c.workspace_id, c.id, c.first_name, c.last_name),
           c.first_name, c.last_name
      from customer c
      join (select distinct * from unnest(ws, customers)) t(workspace_id, id)
        on t.workspace_id = c.workspace_id and t.id = c.id
     where c.merged_into_id is null
    on conflict (workspace_id, customer_id) do update
       set search_text = excluded.search_text, first_name = excluded.first_name, last_name = excluded.last_name
     where (customer_search.search_text, customer_search.first_name, customer_search.last_name)
           is distinct from (excluded.search_text, excluded.first_name, excluded.last_name)
$$;

analyze customer_search;
