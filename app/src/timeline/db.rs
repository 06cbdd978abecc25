//! Reading the timeline: a keyset page of events (newest first) through the timeline indexes.

use super::{TABS, TimelineEntry, TimelinePage};
use crate::error::{AppError, AppResult};
use crate::keyset::{after_id, next_page};
use serde_json::Value;
use sqlx::PgPool;

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
    crate::customers::db::require_customer(pool, workspace_id, customer).await?;
    let rows = sqlx::query!(
        r#"
        select e.id, e.kind, e.happened_at, coalesce(nullif(btrim(u.name), ''), u.email) as actor,
               e.field, e.old_value, e.new_value, e.detail, e.order_id, e.ticket_id,
               o.number as "order_number?", t.subject as "ticket_subject?", s.name as "segment_name?"
          from event e
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
            let text = describe(&Facts {
                kind: &r.kind,
                field: r.field.as_deref(),
                old: r.old_value.as_ref(),
                new: r.new_value.as_ref(),
                detail: &r.detail,
                order: r.order_number.as_deref(),
                ticket: r.ticket_subject.as_deref(),
                segment: r.segment_name.as_deref(),
            });
            TimelineEntry {
                id: r.id,
                kind: r.kind,
                happened_at: r.happened_at,
                actor: r.actor,
                text,
                order_id: r.order_id,
                ticket_id: r.ticket_id,
            }
        })
        .collect();
    let next = next_page(&mut items, limit, |entry| entry.id);
    Ok(TimelinePage { items, next })
}

/// What an event records, with the names of the things it points at (which may since be gone).
struct Facts<'a> {
    kind: &'a str,
    field: Option<&'a str>,
    old: Option<&'a Value>,
    new: Option<&'a Value>,
    detail: &'a Value,
    order: Option<&'a str>,
    ticket: Option<&'a str>,
    segment: Option<&'a str>,
}

/// The event as a sentence a seller reads.
fn describe(f: &Facts) -> String {
    let detail = |key: &str| f.detail.get(key).and_then(Value::as_str).map(str::to_string);
    let order = f.order.map(str::to_string).or_else(|| detail("number")).unwrap_or_else(|| "(deleted)".into());
    let ticket = f.ticket.map(str::to_string).or_else(|| detail("subject")).filter(|s| !s.trim().is_empty());
    let ticket = ticket.map_or_else(|| "a ticket".to_string(), |s| format!("“{s}”"));
    let status = |key: &str| detail(key).map(|s| crate::orders::status_label(&s).to_string());
    let ticket_status = |key: &str| detail(key).map(|s| crate::customers::profile::ticket_status_label(&s).to_string());
    let value = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "(empty)".to_string(),
        Some(Value::String(s)) if s.is_empty() => "(empty)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    match f.kind {
        "customer_created" => match detail("channel") {
            Some(channel) => format!("Customer created from {channel}"),
            None => "Customer created".to_string(),
        },
        "field_changed" => format!(
            "{} changed from {} to {}",
            detail("label").unwrap_or_else(|| f.field.unwrap_or("A field").replace('_', " ")),
            value(f.old),
            value(f.new)
        ),
        "order_placed" => match status("status") {
            Some(status) => format!("Order {order} placed ({status})"),
            None => format!("Order {order} placed"),
        },
        "order_changed" => match (status("old_status"), status("status")) {
            (Some(old), Some(new)) if old != new => format!("Order {order} changed from {old} to {new}"),
            _ => format!("Order {order} changed"),
        },
        "ticket_opened" => format!("Ticket {ticket} opened"),
        "ticket_changed" => match (ticket_status("old_status"), ticket_status("status")) {
            (Some(old), Some(new)) if old != new => format!("Ticket {ticket} moved from {old} to {new}"),
            _ => format!("Ticket {ticket} changed"),
        },
        "message_received" => format!("Message received in {ticket}"),
        "message_sent" => format!("Reply sent in {ticket}"),
        "note_added" => match detail("excerpt") {
            Some(excerpt) => format!("Note added: “{excerpt}”"),
            None => "Note added".to_string(),
        },
        "note_deleted" => match detail("excerpt") {
            Some(excerpt) => format!("Note deleted: “{excerpt}”"),
            None => "Note deleted".to_string(),
        },
        "task_created" => format!("Task created: {}", detail("title").unwrap_or_default()),
        "task_changed" if detail("change").as_deref() == Some("reopened") => {
            format!("Task reopened: {}", detail("title").unwrap_or_default())
        }
        "task_changed" => format!("Task changed: {}", detail("title").unwrap_or_default()),
        "task_commented" => match detail("excerpt") {
            Some(excerpt) => format!("Comment on task {}: “{excerpt}”", detail("title").unwrap_or_default()),
            None => format!("Comment on task {}", detail("title").unwrap_or_default()),
        },
        "task_completed" => format!("Task completed: {}", detail("title").unwrap_or_default()),
        "file_added" => format!("File added: {}", detail("name").unwrap_or_default()),
        "file_deleted" => format!("File deleted: {}", detail("name").unwrap_or_default()),
        "segment_joined" => format!("Joined the segment {}", f.segment.unwrap_or("(deleted)")),
        "segment_left" => format!("Left the segment {}", f.segment.unwrap_or("(deleted)")),
        "merged" => "Merged with another customer".to_string(),
        other => other.replace('_', " "),
    }
}
