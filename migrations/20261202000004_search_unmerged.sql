-- Only customers who have not been merged into another have a search text, so that a search's matches
-- are customers the list shows: when the search is the only filter, their number is the list's count,
-- with no second look at the customers (a search for three letters matches ~9,000 of a million).
--
-- A merge removes the text and an un-merge writes it again; every other refresh writes texts only for
-- customers not merged away (a merged customer has none to update), so the triggers that ingestion
-- fires on every batch do no extra work.

create or replace function refresh_search_text(ws bigint[], customers bigint[]) returns void language sql as $$
    insert into customer_search (workspace_id, customer_id, search_text)
    select c.workspace_id, c.id, customer_search_text(c.workspace_id, c.id, c.first_name, c.last_name)
      from customer c
      join (select distinct * from unnest(ws, customers)) t(workspace_id, id)
        on t.workspace_id = c.workspace_id and t.id = c.id
     where c.merged_into_id is null
    on conflict (workspace_id, customer_id) do update set search_text = excluded.search_text
     where customer_search.search_text is distinct from excluded.search_text
$$;

delete from customer_search s using customer c
 where c.workspace_id = s.workspace_id and c.id = s.customer_id and c.merged_into_id is not null;

create function search_text_of_merged_customer() returns trigger language plpgsql as $$
begin
    if new.merged_into_id is null then
        perform refresh_search_text(array[new.workspace_id], array[new.id]);
    else
        delete from customer_search where workspace_id = new.workspace_id and customer_id = new.id;
    end if;
    return null;
end
$$;
create trigger customer_search_text_merged after update of merged_into_id on customer
    for each row when (old.merged_into_id is distinct from new.merged_into_id)
    execute function search_text_of_merged_customer();
