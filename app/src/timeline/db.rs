//! Reading the timeline: a keyset page of events (newest first) through the timeline indexes.

use super::event::{Event, Names, Stored};
use super::{TABS, TimelineEntry, TimelinePage};
use crate::error::{AppError, AppResult};
use crate::keyset::{after_id, next_page};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

/// An event about to be written: whose, who did it (a member; none for the system and the API) and when.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub customer_id: i64,
    pub actor_id: Option<i64>,
    pub happened_at: DateTime<Utc>,
    pub event: Event,
}

/// Writes one event on the customer's timeline.
pub async fn record(
    conn: &mut PgConnection,
    workspace_id: i64,
    customer_id: i64,
    actor_id: Option<i64>,
    happened_at: DateTime<Utc>,
    event: Event,
) -> AppResult<()> {
    record_all(conn, workspace_id, &[Recorded { customer_id, actor_id, happened_at, event }]).await
}

/// Writes many events in one statement (a batch of orders, a segment refresh).
pub async fn record_all(conn: &mut PgConnection, workspace_id: i64, events: &[Recorded]) -> AppResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let n = events.len();
    let (mut customers, mut actors, mut times) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut kinds, mut fields, mut olds, mut news) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut orders, mut tickets, mut tasks, mut segments, mut details) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for recorded in events {
        let stored = recorded.event.stored();
        customers.push(recorded.customer_id);
        actors.push(recorded.actor_id);
        times.push(recorded.happened_at);
        kinds.push(stored.kind);
        fields.push(stored.field);
        olds.push(stored.old_value);
        news.push(stored.new_value);
        orders.push(stored.order_id);
        tickets.push(stored.ticket_id);
        tasks.push(stored.task_id);
        segments.push(stored.segment_id);
        details.push(stored.detail);
    }
    sqlx::query!(
        "insert into event (workspace_id, customer_id, actor_id, happened_at, kind, field, old_value, new_value,
                            order_id, ticket_id, task_id, segment_id, detail)
         select $1, * from unnest($2::bigint[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::jsonb[],
                                  $8::jsonb[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::jsonb[])",
        workspace_id,
        &customers,
        &actors as &[Option<i64>],
        &times,
        &kinds,
        &fields as &[Option<String>],
        &olds as &[Option<Value>],
        &news as &[Option<Value>],
        &orders as &[Option<i64>],
        &tickets as &[Option<i64>],
        &tasks as &[Option<i64>],
        &segments as &[Option<i64>],
        &details
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip(pool))]
pub async fn timeline(
    pool: &PgPool,
    workspace_id: i64,
    customer: i64,
    tab: &str,
    after: Option<&str>,
    limit: i64,
) -> AppResult<TimelinePage> {
    if !TABS.iter().any(|(key, _)| *key == tab) {
        return Err(AppError::invalid("tab", "use all, orders, tickets, notes, tasks, files, segments or changes"));
    }
    let after = after_id(after, "after")?;
    crate::customers::require_customer(pool, workspace_id, customer).await?;
    let rows = sqlx::query!(
        r#"
        select e.id, e.kind, e.happened_at, coalesce(nullif(btrim(u.name), ''), u.email) as actor,
               e.field, e.old_value, e.new_value, e.detail, e.order_id, e.ticket_id, e.task_id, e.segment_id,
               o.number as "order_number?", t.subject as "ticket_subject?", s.name as "segment_name?",
               e.origin_customer_id,
               m.id is not null and m.undone_at is null as "undoable!"
          from event e
          left join customer_merge m on e.kind = 'merged' and m.workspace_id = e.workspace_id
                                    and m.id = (e.detail ->> 'merge_id')::bigint
          left join user_account u on u.id = e.actor_id
          left join customer_order o on o.workspace_id = e.workspace_id and o.id = e.order_id
          left join ticket t on t.workspace_id = e.workspace_id and t.id = e.ticket_id
          left join segment s on s.workspace_id = e.workspace_id and s.id = e.segment_id
         where e.workspace_id = $1 and e.customer_id = $2 and ($3 = 'all' or e.tab = $3)
           and ($4::bigint is null or (e.happened_at, e.id) < (select happened_at, id from event
                                                                where workspace_id = $1 and id = $4))
         order by e.happened_at desc, e.id desc
         limit $5
        "#,
        workspace_id,
        customer,
        tab,
        after,
        limit + 1
    )
    .fetch_all(pool)
    .await?;
    let mut items: Vec<TimelineEntry> = rows
        .into_iter()
        .map(|r| {
            let names = Names {
                order: r.order_number.as_deref(),
                ticket: r.ticket_subject.as_deref(),
                segment: r.segment_name.as_deref(),
            };
            let undoable_merge = if r.undoable { r.detail["merge_id"].as_i64() } else { None };
            let stored = Stored {
                kind: r.kind.clone(),
                field: r.field,
                old_value: r.old_value,
                new_value: r.new_value,
                order_id: r.order_id,
                ticket_id: r.ticket_id,
                task_id: r.task_id,
                segment_id: r.segment_id,
                detail: r.detail,
            };
            let text = match Event::from_stored(stored) {
                Ok(event) => event.describe(names),
                // a row the types cannot read (written by hand): its kind, in words
                Err(error) => {
                    tracing::warn!(event = r.id, %error, "an event the timeline cannot read");
                    r.kind.replace('_', " ")
                }
            };
            TimelineEntry {
                id: r.id,
                kind: r.kind,
                happened_at: r.happened_at,
                actor: r.actor,
                text,
                order_id: r.order_id,
                ticket_id: r.ticket_id,
                origin: r.origin_customer_id,
                undoable_merge,
            }
        })
        .collect();
    let next = next_page(&mut items, limit, |entry| entry.id);
    Ok(TimelinePage { items, next, can_undo: false })
}
