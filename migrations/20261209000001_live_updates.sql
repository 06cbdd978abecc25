-- Live updates (SPEC §10): at its commit, every statement that wrote to a customer's timeline (orders,
-- tickets and messages, notes, tasks, files, edits, segment moves, merges: all of them are events) tells
-- the servers listening on channel `live` which customers of which workspace it touched, and every
-- statement that wrote notifications which members they are for. One notification per statement and
-- workspace, not per row: a bulk batch of a thousand customers is one message. Past `live_listed()`
-- customers only their number is sent (a notification's payload is at most 8,000 bytes).
create function live_listed() returns int language sql immutable as 'select 200';

create function live_events_written() returns trigger language plpgsql as $$
declare
    touched record;
begin
    for touched in
        select workspace_id, count(distinct customer_id) as customers, array_agg(distinct customer_id) as ids
          from written
         group by workspace_id
    loop
        perform pg_notify('live', case
            when touched.customers <= live_listed()
                then json_build_object('w', touched.workspace_id, 'c', touched.ids)
            else json_build_object('w', touched.workspace_id, 'n', touched.customers) end::text);
    end loop;
    return null;
end $$;

create trigger live_events after insert on event
    referencing new table as written for each statement execute function live_events_written();

create function live_notifications_written() returns trigger language plpgsql as $$
declare
    told record;
begin
    for told in select workspace_id, array_agg(distinct user_id) as users from written group by workspace_id loop
        perform pg_notify('live', json_build_object('w', told.workspace_id, 'u', told.users)::text);
    end loop;
    return null;
end $$;

create trigger live_notifications after insert on notification
    referencing new table as written for each statement execute function live_notifications_written();
