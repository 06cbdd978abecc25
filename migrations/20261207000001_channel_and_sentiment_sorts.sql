-- A channel or a sentiment sorted any way (SPEC §8: any one filter with any sort). The sort indexes
-- hold every customer in the sort's order, and a walk along one skips those of other channels or moods;
-- where a channel's customers sit at one end of the sort, it crossed the rest first. Measured at
-- 1,100,000 customers (bench/RESULTS.md, session 15): the manual channel (contacts, no orders) by
-- highest total 1.2 s, the newest shop's guests by earliest purchase 0.6 s, a neutral mood (2% of the
-- customers) by name 97 ms. One index per sort led by the channel, and one per sort led by the mood
-- for the customers who have one (a third of them; the rest, without messages, are most customers and
-- spread through every sort): a page is then a seek and a read of its rows, first or deep.
-- The mood's expression is the list's (app/src/customers/list/sql.rs, `SENTIMENT_GROUP`), with the
-- labels' threshold (app/src/sentiment.rs, `LABEL_THRESHOLD`): 1 positive, -1 negative, 0 neutral.
do $$
declare
    lead record;
    sort record;
begin
    for lead in
        select * from (values
            ('channel', 'channel_id', 'merged_into_id is null'),
            ('sentiment',
             '(case when sentiment_score >= 0.05 then 1 when sentiment_score <= -0.05 then -1 else 0 end)',
             'merged_into_id is null and sentiment_score is not null')) l(name, first_column, predicate)
    loop
        for sort in
            select * from (values
                ('latest_purchase_desc', 'coalesce(latest_purchase_at, ''-infinity'') desc, '
                    '(case when latest_purchase_at is null then registered_at else ''-infinity'' end) desc, '
                    'last_name, first_name, id'),
                ('latest_purchase_asc', 'coalesce(latest_purchase_at, ''infinity''), last_name, first_name, id'),
                ('name', 'last_name, first_name, id'),
                ('tov', 'total_order_value, order_count, id'),
                ('orders', 'order_count, total_order_value, id'),
                ('aov_desc', '(average_order_value is null), coalesce(average_order_value, 0) desc, '
                    'total_order_value desc, id desc'),
                ('aov_asc', '(average_order_value is null), coalesce(average_order_value, 0), total_order_value, id'),
                ('since_desc', 'coalesce(customer_since, ''-infinity'') desc, id desc'),
                ('since_asc', 'coalesce(customer_since, ''infinity''), id'),
                ('registered', 'registered_at, id')) s(name, columns)
        loop
            execute format('create index %I on customer (workspace_id, %s, %s) where %s',
                           'customer_' || lead.name || '_by_' || sort.name || '_idx', lead.first_column, sort.columns,
                           lead.predicate);
        end loop;
    end loop;
end
$$;
