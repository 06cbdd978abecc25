-- Ingestion at a million customers (SPEC §8): a customer row is written once per write, not once for
-- its figures and again for its segment flags (every write of a row adds an entry to each of its ~100
-- indexes). The rules of the five built-in segments other than VIP, which need only the customer's own
-- figures, are this one function: the statement that recomputes a customer's figures sets the flags
-- with it (app/src/customers/indicators.rs), the full refresh sets them as time passes
-- (app/src/segments/db.rs), and the memberships follow the flags.
create function builtin_segment_flags(
    orders_in_12_months bigint,
    orders_in_3_months bigint,
    customer_since timestamptz,
    order_count integer,
    contacts integer,
    three_months_ago timestamptz,
    now timestamptz
) returns integer language sql immutable parallel safe
return (case when orders_in_12_months >= 2 then segment_flag('repeat_customer') else 0 end)
     | (case when orders_in_3_months >= 3 then segment_flag('active_customer') else 0 end)
     | (case when customer_since > three_months_ago and customer_since <= now then segment_flag('new_customer') else 0 end)
     | (case when order_count = 0 and contacts = 1 then segment_flag('new_contact') else 0 end)
     | (case when order_count = 0 and contacts >= 2 then segment_flag('repeat_contact') else 0 end);
