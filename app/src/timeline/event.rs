//! The event log's kinds, each with what it records: the one type every writer of `event` builds and the
//! timeline reads back. An event is stored as its kind, the columns that point at other rows (an order,
//! a ticket, a task, a segment: set to null when that row goes) or hold a change (field, old and new
//! value), and `detail`, the rest of its fields as a JSON object under their own names. The kinds the
//! database accepts are checked there too (migration `domain`).

use crate::orders::OrderStatus;
use crate::tickets::TicketStatus;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Something that happened to a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// Added by hand, or first seen in a channel.
    CustomerCreated {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
    },
    /// One field of the customer edited (`field`: the column, or `custom.<key>` for a custom field);
    /// `version`: the customer's version the edit made; `removed`: the custom field itself was deleted.
    FieldChanged {
        field: String,
        #[serde(rename = "old_value", default)]
        old: Value,
        #[serde(rename = "new_value", default)]
        new: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<i64>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        removed: bool,
    },
    OrderPlaced {
        #[serde(default)]
        order_id: Option<i64>,
        number: String,
        status: OrderStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        currency: Option<String>,
    },
    OrderChanged {
        #[serde(default)]
        order_id: Option<i64>,
        number: String,
        old_status: OrderStatus,
        status: OrderStatus,
    },
    TicketOpened {
        #[serde(default)]
        ticket_id: Option<i64>,
        #[serde(default)]
        subject: String,
    },
    TicketChanged {
        #[serde(default)]
        ticket_id: Option<i64>,
        old_status: TicketStatus,
        status: TicketStatus,
        #[serde(default)]
        subject: String,
    },
    MessageReceived {
        #[serde(default)]
        ticket_id: Option<i64>,
    },
    MessageSent {
        #[serde(default)]
        ticket_id: Option<i64>,
    },
    /// `body`: kept only when the note is deleted, so that nothing said is lost.
    NoteAdded {
        note_id: i64,
        excerpt: String,
    },
    NoteDeleted {
        note_id: i64,
        excerpt: String,
        #[serde(default)]
        body: String,
    },
    TaskCreated {
        #[serde(default)]
        task_id: Option<i64>,
        title: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_on: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignee_id: Option<i64>,
    },
    TaskChanged {
        #[serde(default)]
        task_id: Option<i64>,
        title: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        change: Option<TaskChange>,
    },
    TaskCommented {
        #[serde(default)]
        task_id: Option<i64>,
        title: String,
        excerpt: String,
    },
    TaskCompleted {
        #[serde(default)]
        task_id: Option<i64>,
        title: String,
    },
    FileAdded {
        file_id: i64,
        name: String,
        size_bytes: i64,
    },
    FileDeleted {
        file_id: i64,
        name: String,
        size_bytes: i64,
    },
    SegmentJoined {
        #[serde(default)]
        segment_id: Option<i64>,
    },
    SegmentLeft {
        #[serde(default)]
        segment_id: Option<i64>,
    },
    /// Other customers merged into this one (SPEC §9): the merge, the customers merged away, whose value
    /// each single-valued field took, and how many records of each kind moved.
    Merged {
        #[serde(default)]
        merge_id: i64,
        #[serde(default)]
        merged: Vec<i64>,
        #[serde(default)]
        fields: BTreeMap<String, i64>,
        #[serde(default)]
        moved: BTreeMap<String, i64>,
    },
    /// A merge undone: the customers it had merged away are back, with what was theirs.
    MergeUndone {
        merge_id: i64,
        customers: Vec<i64>,
    },
}

/// What changed about a task, beyond its being done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskChange {
    Reopened,
}

/// The names of the rows an event points at, as they are now (read beside the event: an order's number
/// or a ticket's subject may have changed, a segment may be gone).
#[derive(Debug, Default, Clone, Copy)]
pub struct Names<'a> {
    pub order: Option<&'a str>,
    pub ticket: Option<&'a str>,
    pub segment: Option<&'a str>,
}

/// An event as the table stores it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stored {
    pub kind: String,
    pub field: Option<String>,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
    pub order_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub task_id: Option<i64>,
    pub segment_id: Option<i64>,
    pub detail: Value,
}

/// The keys of an event that are columns of their own rather than part of `detail`.
const ID_COLUMNS: [&str; 4] = ["order_id", "ticket_id", "task_id", "segment_id"];

impl Event {
    /// The kind as stored (`event.kind`).
    pub fn kind(&self) -> String {
        self.stored().kind
    }

    /// The row's columns for this event.
    pub fn stored(&self) -> Stored {
        let Ok(Value::Object(mut fields)) = serde_json::to_value(self) else {
            unreachable!("an event serialises to an object")
        };
        let mut take = |key: &str| fields.remove(key).filter(|v| !v.is_null());
        let kind = take("kind").and_then(|v| v.as_str().map(str::to_string)).expect("events are tagged");
        let field = take("field").and_then(|v| v.as_str().map(str::to_string));
        let [order_id, ticket_id, task_id, segment_id] = ID_COLUMNS.map(|key| take(key).and_then(|v| v.as_i64()));
        let (old_value, new_value) = match self {
            // a change keeps its empty side as JSON null, not as a missing value
            Event::FieldChanged { old, new, .. } => {
                fields.remove("old_value");
                fields.remove("new_value");
                (Some(old.clone()), Some(new.clone()))
            }
            _ => (None, None),
        };
        Stored {
            kind,
            field,
            old_value,
            new_value,
            order_id,
            ticket_id,
            task_id,
            segment_id,
            detail: Value::Object(fields),
        }
    }

    /// The event a stored row holds (rows written before a field existed read it as missing).
    pub fn from_stored(stored: Stored) -> Result<Event, serde_json::Error> {
        let mut fields = match stored.detail {
            Value::Object(fields) => fields,
            _ => Map::new(),
        };
        fields.insert("kind".into(), Value::String(stored.kind));
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                fields.insert(key.into(), value);
            }
        };
        put("field", stored.field.map(Value::String));
        put("old_value", stored.old_value);
        put("new_value", stored.new_value);
        for (key, id) in
            ID_COLUMNS.into_iter().zip([stored.order_id, stored.ticket_id, stored.task_id, stored.segment_id])
        {
            put(key, id.map(Value::from));
        }
        serde_json::from_value(Value::Object(fields))
    }

    /// The event as a sentence a seller reads on the timeline.
    pub fn describe(&self, names: Names) -> String {
        let order = |number: &str| names.order.unwrap_or(number).to_string();
        let ticket = |subject: &str| {
            let subject = names.ticket.unwrap_or(subject);
            if subject.trim().is_empty() { "a ticket".to_string() } else { format!("“{subject}”") }
        };
        let segment = || names.segment.unwrap_or("(deleted)");
        match self {
            Event::CustomerCreated { channel: Some(channel) } => format!("Customer created from {channel}"),
            Event::CustomerCreated { channel: None } => "Customer created".to_string(),
            Event::FieldChanged { field, old, new, label, .. } => format!(
                "{} changed from {} to {}",
                label.clone().unwrap_or_else(|| field.replace('_', " ")),
                shown(old),
                shown(new)
            ),
            Event::OrderPlaced { number, status, .. } => {
                format!("Order {} placed ({})", order(number), status.label())
            }
            Event::OrderChanged { number, old_status, status, .. } if old_status != status => {
                format!("Order {} changed from {} to {}", order(number), old_status.label(), status.label())
            }
            Event::OrderChanged { number, .. } => format!("Order {} changed", order(number)),
            Event::TicketOpened { subject, .. } => format!("Ticket {} opened", ticket(subject)),
            Event::TicketChanged { subject, old_status, status, .. } if old_status != status => {
                format!("Ticket {} moved from {} to {}", ticket(subject), old_status.label(), status.label())
            }
            Event::TicketChanged { subject, .. } => format!("Ticket {} changed", ticket(subject)),
            Event::MessageReceived { .. } => format!("Message received in {}", ticket("")),
            Event::MessageSent { .. } => format!("Reply sent in {}", ticket("")),
            Event::NoteAdded { excerpt, .. } => format!("Note added: “{excerpt}”"),
            Event::NoteDeleted { excerpt, .. } => format!("Note deleted: “{excerpt}”"),
            Event::TaskCreated { title, .. } => format!("Task created: {title}"),
            Event::TaskChanged { title, change: Some(TaskChange::Reopened), .. } => format!("Task reopened: {title}"),
            Event::TaskChanged { title, change: None, .. } => format!("Task changed: {title}"),
            Event::TaskCommented { title, excerpt, .. } => format!("Comment on task {title}: “{excerpt}”"),
            Event::TaskCompleted { title, .. } => format!("Task completed: {title}"),
            Event::FileAdded { name, .. } => format!("File added: {name}"),
            Event::FileDeleted { name, .. } => format!("File deleted: {name}"),
            Event::SegmentJoined { .. } => format!("Joined the segment {}", segment()),
            Event::SegmentLeft { .. } => format!("Left the segment {}", segment()),
            Event::Merged { merged, moved, .. } => {
                let who = customers_named(merged);
                let what = moved
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(kind, n)| format!("{n} {}", if *n == 1 { kind.trim_end_matches('s') } else { kind }))
                    .collect::<Vec<_>>();
                match (who.is_empty(), what.is_empty()) {
                    (true, _) => "Merged with another customer".to_string(),
                    (false, true) => format!("Merged into this one: {who}"),
                    (false, false) => format!("Merged into this one: {who} ({} moved)", what.join(", ")),
                }
            }
            Event::MergeUndone { customers, .. } => format!("Merge of {} undone", customers_named(customers)),
        }
    }
}

/// "customer #34", "customers #34, #56".
fn customers_named(ids: &[i64]) -> String {
    let ids = ids.iter().map(|id| format!("#{id}")).collect::<Vec<_>>().join(", ");
    format!("{} {ids}", if ids.contains(',') { "customers" } else { "customer" })
}

/// A changed value as the history shows it.
pub fn shown(value: &Value) -> String {
    match value {
        Value::Null => "(empty)".to_string(),
        Value::String(s) if s.is_empty() => "(empty)".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::db::create_workspace;
    use serde_json::json;
    use sqlx::PgPool;

    /// An event of every kind, with the sentence the timeline shows for it. The `match` makes a new kind
    /// fail to compile here until it has its sample.
    fn sample(kind: &str, vip: i64) -> (Event, &'static str) {
        let (event, text) = match kind {
            "customer_created" => {
                (Event::CustomerCreated { channel: Some("shop".into()) }, "Customer created from shop")
            }
            "field_changed" => (
                Event::FieldChanged {
                    field: "first_name".into(),
                    old: json!("Ann"),
                    new: json!(null),
                    label: None,
                    version: Some(2),
                    removed: false,
                },
                "first name changed from Ann to (empty)",
            ),
            "order_placed" => (
                Event::OrderPlaced {
                    order_id: None,
                    number: "#1001".into(),
                    status: OrderStatus::InTransit,
                    total: Some("20.50".parse().unwrap()),
                    currency: Some("EUR".into()),
                },
                "Order #1001 placed (In transit)",
            ),
            "order_changed" => (
                Event::OrderChanged {
                    order_id: None,
                    number: "#1001".into(),
                    old_status: OrderStatus::Paid,
                    status: OrderStatus::Delivered,
                },
                "Order #1001 changed from Paid to Delivered",
            ),
            "ticket_opened" => {
                (Event::TicketOpened { ticket_id: None, subject: "Late parcel".into() }, "Ticket “Late parcel” opened")
            }
            "ticket_changed" => (
                Event::TicketChanged {
                    ticket_id: None,
                    old_status: TicketStatus::Todo,
                    status: TicketStatus::Resolved,
                    subject: "Late parcel".into(),
                },
                "Ticket “Late parcel” moved from To do to Resolved",
            ),
            "message_received" => (Event::MessageReceived { ticket_id: None }, "Message received in a ticket"),
            "message_sent" => (Event::MessageSent { ticket_id: None }, "Reply sent in a ticket"),
            "note_added" => (Event::NoteAdded { note_id: 7, excerpt: "Call back".into() }, "Note added: “Call back”"),
            "note_deleted" => (
                Event::NoteDeleted { note_id: 7, excerpt: "Call back".into(), body: "Call back on Monday".into() },
                "Note deleted: “Call back”",
            ),
            "task_created" => (
                Event::TaskCreated {
                    task_id: None,
                    title: "Refund".into(),
                    due_on: Some("2026-12-24".parse().unwrap()),
                    assignee_id: Some(3),
                },
                "Task created: Refund",
            ),
            "task_changed" => (
                Event::TaskChanged { task_id: None, title: "Refund".into(), change: Some(TaskChange::Reopened) },
                "Task reopened: Refund",
            ),
            "task_commented" => (
                Event::TaskCommented { task_id: None, title: "Refund".into(), excerpt: "Done?".into() },
                "Comment on task Refund: “Done?”",
            ),
            "task_completed" => {
                (Event::TaskCompleted { task_id: None, title: "Refund".into() }, "Task completed: Refund")
            }
            "file_added" => (
                Event::FileAdded { file_id: 4, name: "invoice.pdf".into(), size_bytes: 1200 },
                "File added: invoice.pdf",
            ),
            "file_deleted" => (
                Event::FileDeleted { file_id: 4, name: "invoice.pdf".into(), size_bytes: 1200 },
                "File deleted: invoice.pdf",
            ),
            "segment_joined" => (Event::SegmentJoined { segment_id: Some(vip) }, "Joined the segment VIP"),
            "segment_left" => (Event::SegmentLeft { segment_id: Some(vip) }, "Left the segment VIP"),
            "merged" => (
                Event::Merged {
                    merge_id: 4,
                    merged: vec![34, 56],
                    fields: [("first_name".to_string(), 34)].into(),
                    moved: [("orders".to_string(), 14), ("notes".to_string(), 1), ("files".to_string(), 0)].into(),
                },
                "Merged into this one: customers #34, #56 (1 note, 14 orders moved)",
            ),
            "merge_undone" => {
                (Event::MergeUndone { merge_id: 4, customers: vec![34, 56] }, "Merge of customers #34, #56 undone")
            }
            other => panic!("no sample of {other}"),
        };
        // every kind has its sample above
        match &event {
            Event::CustomerCreated { .. }
            | Event::FieldChanged { .. }
            | Event::OrderPlaced { .. }
            | Event::OrderChanged { .. }
            | Event::TicketOpened { .. }
            | Event::TicketChanged { .. }
            | Event::MessageReceived { .. }
            | Event::MessageSent { .. }
            | Event::NoteAdded { .. }
            | Event::NoteDeleted { .. }
            | Event::TaskCreated { .. }
            | Event::TaskChanged { .. }
            | Event::TaskCommented { .. }
            | Event::TaskCompleted { .. }
            | Event::FileAdded { .. }
            | Event::FileDeleted { .. }
            | Event::SegmentJoined { .. }
            | Event::SegmentLeft { .. }
            | Event::Merged { .. }
            | Event::MergeUndone { .. } => {}
        }
        assert_eq!(event.kind(), kind);
        (event, text)
    }

    /// Writes the kind's sample, reads it back from the table and on the timeline.
    async fn written_read_described(pool: PgPool, kind: &str) {
        let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let customer = crate::customers::manual_customer(&pool, ws).await;
        let vip = sqlx::query_scalar!("select id from segment where workspace_id = $1 and key = 'vip'", ws)
            .fetch_one(&pool)
            .await
            .unwrap();
        let (event, text) = sample(kind, vip);
        let at = "2026-11-20T10:00:00Z".parse().unwrap();
        let mut conn = pool.acquire().await.unwrap();
        super::super::record(&mut conn, ws, customer, None, at, event.clone()).await.unwrap();
        let row = sqlx::query!(
            "select kind, field, old_value, new_value, order_id, ticket_id, task_id, segment_id, detail, tab
               from event where workspace_id = $1 and customer_id = $2 and kind = $3",
            ws,
            customer,
            kind
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        let tab = row.tab.clone().unwrap();
        let stored = Stored {
            kind: row.kind,
            field: row.field,
            old_value: row.old_value,
            new_value: row.new_value,
            order_id: row.order_id,
            ticket_id: row.ticket_id,
            task_id: row.task_id,
            segment_id: row.segment_id,
            detail: row.detail,
        };
        assert_eq!(Event::from_stored(stored).unwrap(), event, "{kind} reads back as written");
        let page = crate::timeline::db::timeline(&pool, ws, customer, &tab, None, 20).await.unwrap();
        let entry = page.items.iter().find(|e| e.kind == kind).expect("on the timeline under its tab");
        assert_eq!(entry.text, text);
    }

    macro_rules! kinds {
        ($($kind:ident),* $(,)?) => {
            $(
                #[sqlx::test(migrations = "../migrations")]
                async fn $kind(pool: PgPool) {
                    written_read_described(pool, stringify!($kind)).await;
                }
            )*

            /// The kinds the database accepts (migration `domain`) are the kinds of the type.
            #[sqlx::test(migrations = "../migrations")]
            async fn the_database_accepts_exactly_these_kinds(pool: PgPool) {
                let accepted = crate::vocabulary::tests::accepted(&pool, "event", "kind").await;
                let mut ours = vec![$(stringify!($kind)),*];
                ours.sort_unstable();
                assert_eq!(accepted, ours);
            }
        };
    }

    kinds!(
        customer_created,
        field_changed,
        order_placed,
        order_changed,
        ticket_opened,
        ticket_changed,
        message_received,
        message_sent,
        note_added,
        note_deleted,
        task_created,
        task_changed,
        task_commented,
        task_completed,
        file_added,
        file_deleted,
        segment_joined,
        segment_left,
        merged,
        merge_undone,
    );

    /// What events written before this type kept in `detail` (by the SQL of earlier versions) reads back.
    #[test]
    fn earlier_rows_read_back() {
        let stored = Stored {
            kind: "task_changed".into(),
            task_id: None,
            detail: json!({"title": "Call", "change": "reopened"}),
            ..Stored::default()
        };
        let event = Event::from_stored(stored).unwrap();
        assert_eq!(event.describe(Names::default()), "Task reopened: Call");
        let stored = Stored {
            kind: "order_placed".into(),
            order_id: Some(3),
            detail: json!({"number": "#7", "status": "paid", "total": "12.5", "currency": "EUR"}),
            ..Stored::default()
        };
        let event = Event::from_stored(stored).unwrap();
        assert_eq!(event.describe(Names { order: Some("#7b"), ..Names::default() }), "Order #7b placed (Paid)");
    }
}
