-- The customer list, filtered and sorted any way (SPEC §4, §8): the filters that pick out a small or
-- skewed part of the customers — a built-in segment, open tickets, a VIP or BAD mark — are flags on the
-- customer row, and each has its own partial index on every sort, so that a filtered page is a range
-- scan of matching customers only, however the matches are spread through the sort order.

-- Which built-in segments a customer is in, one bit each (`segment_flag`), kept by the statements that
-- write the memberships (app/src/segments/db.rs); the memberships stay the record (who joined when).
create function segment_flag(key text) returns integer language sql immutable parallel safe
return case key
    when 'vip' then 1
    when 'repeat_customer' then 2
    when 'active_customer' then 4
    when 'new_customer' then 8
    when 'new_contact' then 16
    when 'repeat_contact' then 32
    else 0
end;

alter table customer
    add column builtin_segments integer not null default 0 check (builtin_segments between 0 and 63),
    -- tickets not yet resolved, kept with the other indicators (app/src/customers/indicators.rs)
    add column open_tickets integer not null default 0 check (open_tickets >= 0);

update customer c
   set builtin_segments = m.flags
  from (select m.workspace_id, m.customer_id, bit_or(segment_flag(s.key)) as flags
          from segment_membership m
          join segment s on s.workspace_id = m.workspace_id and s.id = m.segment_id and s.builtin
         group by m.workspace_id, m.customer_id) m
 where c.workspace_id = m.workspace_id and c.id = m.customer_id;

update customer c
   set open_tickets = t.n
  from (select workspace_id, customer_id, count(*)::int as n from ticket
         where status <> 'resolved' group by workspace_id, customer_id) t
 where c.workspace_id = t.workspace_id and c.id = t.customer_id;

-- replaced by the flag's indexes below
drop index customer_marks_idx;

-- One index per flag and sort, on exactly the expressions of the sorts (app/src/customers/db/list.rs and
-- migration `customer_list`), each holding only the flagged customers.
do $$
declare
    flag record;
    sort record;
begin
    for flag in
        select * from (values
            ('vip', 'builtin_segments & 1 <> 0'),
            ('repeat_customer', 'builtin_segments & 2 <> 0'),
            ('active_customer', 'builtin_segments & 4 <> 0'),
            ('new_customer', 'builtin_segments & 8 <> 0'),
            ('new_contact', 'builtin_segments & 16 <> 0'),
            ('repeat_contact', 'builtin_segments & 32 <> 0'),
            ('open_tickets', 'open_tickets > 0'),
            ('vip_mark', 'vip_mark'),
            ('bad_mark', 'bad_mark')) f(name, predicate)
    loop
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
            execute format('create index %I on customer (workspace_id, %s) where merged_into_id is null and %s',
                           'customer_' || flag.name || '_by_' || sort.name || '_idx', sort.columns, flag.predicate);
        end loop;
    end loop;
end
$$;
