-- Search that forgives typos (SPEC §4) without scanning every name that shares a few letters with the
-- text: the words of customers' names, once per workspace, are a small dictionary. A mistyped word is
-- matched against the dictionary (pg_trgm), and the customers are then found by the corrected words
-- through the names' trigram index, as an exact search would.
create table name_word (
    workspace_id bigint not null references workspace on delete cascade,
    word text not null check (word <> '' and word = lower(word)),
    primary key (workspace_id, word)
);
-- GiST rather than GIN: it hands out the closest words first (`order by word <-> text limit 5`)
create index name_word_trgm_idx on name_word using gist (word gist_trgm_ops);

create function name_words(first_name text, last_name text) returns setof text language sql immutable as $$
    select distinct w from regexp_split_to_table(lower(first_name || ' ' || last_name), '\s+') w where w <> ''
$$;

insert into name_word (workspace_id, word)
select distinct c.workspace_id, w from customer c, name_words(c.first_name, c.last_name) w
on conflict do nothing;
analyze name_word;

-- New words join the dictionary with the statement that brings them (words are never removed: a word
-- nobody has any more only finds nobody). Updates fire only when a name changes (the indicators'
-- updates never do).
create function remember_new_name_words() returns trigger language plpgsql as $$
begin
    insert into name_word (workspace_id, word)
    select distinct n.workspace_id, w from new_customers n, name_words(n.first_name, n.last_name) w
    on conflict do nothing;
    return null;
end
$$;
create trigger customer_name_words_inserted after insert on customer
    referencing new table as new_customers for each statement execute function remember_new_name_words();

create function remember_changed_name_words() returns trigger language plpgsql as $$
begin
    insert into name_word (workspace_id, word)
    select new.workspace_id, w from name_words(new.first_name, new.last_name) w
    on conflict do nothing;
    return null;
end
$$;
create trigger customer_name_words_changed after update of first_name, last_name on customer
    for each row when (old.first_name is distinct from new.first_name or old.last_name is distinct from new.last_name)
    execute function remember_changed_name_words();

-- Guests (registered = false) are a fifth of the customers and few of them rank high by value or
-- order count: like the flags of migration `list_flags`, they get an index on every sort.
do $$
declare
    sort record;
begin
    for sort in
        select * from (values
            ('latest_purchase_desc', 'coalesce(latest_purchase_at, ''-infinity'') desc, '
                '(case when latest_purchase_at is null then registered_at else ''-infinity'' end) desc, '
                'last_name, first_name, id'),
            ('latest_purchase_asc', 'coalesce(latest_purchase_at, ''infinity''), last_name, first_name, id'),
            ('name', 'last_name, first_name, id'),
            ('tov', 'total_order_value, id'),
            ('orders', 'order_count, id'),
            ('aov_desc', '(average_order_value is null), coalesce(average_order_value, 0) desc, id desc'),
            ('aov_asc', '(average_order_value is null), coalesce(average_order_value, 0), id'),
            ('since_desc', 'coalesce(customer_since, ''-infinity'') desc, id desc'),
            ('since_asc', 'coalesce(customer_since, ''infinity''), id'),
            ('registered', 'registered_at, id')) s(name, columns)
    loop
        execute format('create index %I on customer (workspace_id, %s) where merged_into_id is null and not registered',
                       'customer_guest_by_' || sort.name || '_idx', sort.columns);
    end loop;
end
$$;
