-- Search (SPEC §4) reads one text per customer: the name, the email addresses and the phone digits, one
-- per line, behind one trigram index. Before, names, emails and phones each had their own index, and
-- the matches of the three were unioned, deduplicated and counted twice over (a search for three letters
-- matched ~20,000 rows at a million customers: 170–220 ms).
--
-- Lines keep a search from matching across two of them ("miller mia" does not match the name "Mia
-- Miller" followed by the address "mia.miller@…"). A phone is its E.164 digits (the national number
-- without its trunk zero is a part of them) or, where it could not be normalised, the digits as entered.

create function customer_search_text(ws bigint, customer bigint, first_name text, last_name text)
returns text language sql stable as $$
    select concat_ws(E'\n',
        lower(first_name || ' ' || last_name),
        (select string_agg(e.normalized, E'\n' order by e.position, e.id)
           from customer_email e where e.workspace_id = ws and e.customer_id = customer),
        (select string_agg(coalesce(substr(p.e164, 2), regexp_replace(p.raw, '\D', '', 'g')), E'\n'
                           order by p.position, p.id)
           from customer_phone p where p.workspace_id = ws and p.customer_id = customer))
$$;

-- Its own narrow table, not a column of the customer: every write of a customer's figures (each ingested
-- order) writes a new version of the customer row into each of its indexes, and a trigram index of
-- names, addresses and phones there cost ingestion 40% (2,000 → 1,200 orders/s at a million customers).
-- This table is written only when a name, an address or a phone changes.
create table customer_search (
    workspace_id bigint not null,
    customer_id bigint not null,
    search_text text not null,
    primary key (workspace_id, customer_id),
    foreign key (workspace_id, customer_id) references customer on delete cascade
);

insert into customer_search (workspace_id, customer_id, search_text)
select c.workspace_id, c.id, customer_search_text(c.workspace_id, c.id, c.first_name, c.last_name) from customer c;

create index customer_search_trgm_idx on customer_search using gin (search_text gin_trgm_ops);
analyze customer_search;
-- the name, email and phone indexes of migration `customer_list` served only the search
drop index customer_name_trgm_idx;
drop index customer_phone_digits_idx;
drop index customer_email_trgm_idx;
-- A mistyped address is looked for among the addresses whose part before the @ is close to the one
-- typed: the whole addresses' trigrams include the domains', shared by a fifth of all addresses each
-- (60–200 ms at a million customers against 16 ms).
create index customer_email_local_trgm_idx on customer_email using gin (split_part(normalized, '@', 1) gin_trgm_ops);

-- Kept current by the statements that add a customer or change a name, an address or a phone, whoever
-- runs them: once per statement (an ingested batch, a seed's COPY) where they can, only rows whose text
-- differs are written.
create function refresh_search_text(ws bigint[], customers bigint[]) returns void language sql as $$
    insert into customer_search (workspace_id, customer_id, search_text)
    select c.workspace_id, c.id, customer_search_text(c.workspace_id, c.id, c.first_name, c.last_name)
      from customer c
      join (select distinct * from unnest(ws, customers)) t(workspace_id, id)
        on t.workspace_id = c.workspace_id and t.id = c.id
    on conflict (workspace_id, customer_id) do update set search_text = excluded.search_text
     where customer_search.search_text is distinct from excluded.search_text
$$;

create function search_text_of_new_customers() returns trigger language plpgsql as $$
begin
    perform refresh_search_text(array_agg(workspace_id), array_agg(id)) from new_customers;
    return null;
end
$$;
create trigger customer_search_text_inserted after insert on customer
    referencing new table as new_customers for each statement execute function search_text_of_new_customers();

create function search_text_of_renamed_customer() returns trigger language plpgsql as $$
begin
    perform refresh_search_text(array[new.workspace_id], array[new.id]);
    return null;
end
$$;
create trigger customer_search_text_renamed after update of first_name, last_name on customer
    for each row when (old.first_name is distinct from new.first_name or old.last_name is distinct from new.last_name)
    execute function search_text_of_renamed_customer();

create function refresh_contacts_search_text() returns trigger language plpgsql as $$
declare
    ws bigint[];
    customers bigint[];
begin
    -- each event has only its own transition tables
    if tg_op = 'INSERT' then
        select array_agg(workspace_id), array_agg(customer_id) into ws, customers from new_contacts;
    elsif tg_op = 'DELETE' then
        select array_agg(workspace_id), array_agg(customer_id) into ws, customers from old_contacts;
    else
        select array_agg(workspace_id), array_agg(customer_id) into ws, customers
          from (select workspace_id, customer_id from new_contacts
                union select workspace_id, customer_id from old_contacts) changed;
    end if;
    if customers is not null then
        perform refresh_search_text(ws, customers);
    end if;
    return null;
end
$$;

do $$
declare
    contacts text;
begin
    foreach contacts in array array['customer_email', 'customer_phone'] loop
        execute format('create trigger %I after insert on %I referencing new table as new_contacts
                        for each statement execute function refresh_contacts_search_text()',
                       contacts || '_search_text_inserted', contacts);
        execute format('create trigger %I after update on %I referencing old table as old_contacts
                        new table as new_contacts for each statement execute function refresh_contacts_search_text()',
                       contacts || '_search_text_updated', contacts);
        execute format('create trigger %I after delete on %I referencing old table as old_contacts
                        for each statement execute function refresh_contacts_search_text()',
                       contacts || '_search_text_deleted', contacts);
    end loop;
end
$$;
