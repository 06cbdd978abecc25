//! Bulk actions in the database: checked and queued as a job; run in batches of `BATCH` customers, each
//! committed with the job's progress (a batch is done once, even across restarts); undone the same way.

use super::{AT_ONCE, BulkAction, BulkKind, BulkRequest, Targets};
use crate::custom_fields::{CustomField, FieldValue};
use crate::customers::list::db::Walk;
use crate::error::{AppError, AppResult};
use crate::jobs::db::Claimed;
use crate::jobs::worker::{Outcome, Progress};
use crate::jobs::{JobKind, JobStatus};
use crate::notes::MAX_NOTE;
use crate::timeline::{Event, Recorded};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgPool};
use std::collections::{BTreeMap, HashMap};

/// Customers changed per transaction.
const BATCH: usize = if cfg!(test) { 2 } else { 1_000 };
/// The most customers chosen one by one.
pub const MAX_CHOSEN: usize = 10_000;

/// A mark's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkColumn {
    Vip,
    Bad,
}

impl MarkColumn {
    fn field(self) -> &'static str {
        match self {
            MarkColumn::Vip => "vip_mark",
            MarkColumn::Bad => "bad_mark",
        }
    }
}

/// The change a bulk action makes, as checked (stored with it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Manager { user: Option<i64>, name: Option<String> },
    Mark { mark: MarkColumn, on: bool },
    Subscription { subscription: String },
    Note { body: String },
    Field { field_id: i64, value: Option<FieldValue> },
}

impl Change {
    /// The event log's name of the field it changes.
    fn field(&self, custom: Option<&CustomField>) -> String {
        match self {
            Change::Manager { .. } => "manager".into(),
            Change::Mark { mark, .. } => mark.field().into(),
            Change::Subscription { .. } => "email_subscription".into(),
            Change::Note { .. } => "note".into(),
            Change::Field { .. } => format!("custom.{}", custom.map_or("", |f| f.key.as_str())),
        }
    }

    /// The value it stores, as `current` reads it.
    fn stored(&self) -> Value {
        match self {
            Change::Manager { user, .. } => json!(user),
            Change::Mark { on, .. } => json!(on),
            Change::Subscription { subscription } => json!(subscription),
            Change::Note { .. } => Value::Null,
            Change::Field { value, .. } => json!(value),
        }
    }

    /// What it does, in words.
    pub fn summary(&self, custom: Option<&CustomField>) -> String {
        match self {
            Change::Manager { name: Some(name), .. } => format!("Assign the manager {name}"),
            Change::Manager { .. } => "Take the manager away".into(),
            Change::Mark { mark, on } => {
                let mark = if *mark == MarkColumn::Vip { "VIP" } else { "BAD" };
                format!("{} the {mark} mark", if *on { "Set" } else { "Clear" })
            }
            Change::Subscription { subscription } => format!("Set the email subscription to {subscription}"),
            Change::Note { body } => format!("Add the note “{}”", crate::ui::format::excerpt(body)),
            Change::Field { value, .. } => {
                let label = custom.map_or("a custom field", |f| f.label.as_str());
                match (value, custom) {
                    (Some(v), Some(f)) => format!("Set {label} to {}", v.shown(f)),
                    _ => format!("Clear {label}"),
                }
            }
        }
    }
}

/// Reads the request's value for its action; a bad one is named `value`.
async fn check(conn: &mut PgConnection, workspace_id: i64, request: &BulkRequest) -> AppResult<Change> {
    let value = &request.value;
    let bad = |message: &str| AppError::invalid("value", message);
    Ok(match request.action {
        BulkKind::SetManager => {
            let user = match value {
                Value::Null => None,
                Value::Number(n) => Some(n.as_i64().ok_or_else(|| bad("give a member's id"))?),
                _ => return Err(bad("give an active admin's or agent's id, or null to take the manager away")),
            };
            let name = match user {
                None => None,
                Some(user) => Some(
                    sqlx::query_scalar!(
                        r#"select coalesce(nullif(btrim(u.name), ''), u.email) as "name!"
                             from membership m join user_account u on u.id = m.user_id
                            where m.workspace_id = $1 and m.user_id = $2 and m.deactivated_at is null
                              and m.role in ('admin', 'agent')"#,
                        workspace_id,
                        user
                    )
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or_else(|| bad("choose an active admin or agent of this workspace"))?,
                ),
            };
            Change::Manager { user, name }
        }
        BulkKind::SetMark | BulkKind::ClearMark => {
            let mark = match value.as_str() {
                Some("vip") => MarkColumn::Vip,
                Some("bad") => MarkColumn::Bad,
                _ => return Err(bad("use vip or bad")),
            };
            Change::Mark { mark, on: request.action == BulkKind::SetMark }
        }
        BulkKind::SetSubscription => match value.as_str() {
            Some(subscription @ ("subscribed" | "unsubscribed")) => {
                Change::Subscription { subscription: subscription.to_string() }
            }
            _ => return Err(bad("use subscribed or unsubscribed")),
        },
        BulkKind::AddNote => {
            let body = value.as_str().map(str::trim).unwrap_or_default();
            if body.is_empty() {
                return Err(bad("write the note's text"));
            }
            if body.chars().count() > MAX_NOTE {
                return Err(bad(&format!("a note holds at most {MAX_NOTE} characters")));
            }
            Change::Note { body: body.to_string() }
        }
        BulkKind::SetField => {
            let key = value.get("field").and_then(Value::as_str).unwrap_or_default();
            let fields = crate::custom_fields::fields(&mut *conn, workspace_id).await?;
            let field = fields
                .into_iter()
                .find(|f| f.key == key)
                .ok_or_else(|| AppError::invalid("value.field", "name one of the workspace's custom fields"))?;
            let text = match value.get("value") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(text)) => text.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) => n.to_string(),
                Some(_) => return Err(AppError::invalid("value.value", "give a text, a number, yes/no or null")),
            };
            // a choice by its label, as the list's filter takes it
            let text = match field.choices.iter().find(|(_, label)| *label == text) {
                Some((id, _)) if field.kind == "choice" => id.to_string(),
                _ => text,
            };
            let form = BTreeMap::from([(field.key.clone(), text)]);
            let value = crate::custom_fields::check(std::slice::from_ref(&field), &form)
                .map_err(|errors| {
                    AppError::Invalid(
                        errors
                            .into_iter()
                            .map(|e| crate::error::FieldError { path: "value.value".into(), message: e.message })
                            .collect(),
                    )
                })?
                .pop()
                .flatten();
            Change::Field { field_id: field.id, value }
        }
    })
}

/// Checks and queues a bulk action by `actor` (none: the API), answering its job's id.
pub async fn start(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: Option<i64>,
    request: &BulkRequest,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let change = check(conn, workspace_id, request).await?;
    let (query, chosen) = match &request.targets {
        Targets::Query(text) => (Some(crate::exports::db::read_query(text)?.query_string()), None),
        Targets::Chosen(ids) => {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() || ids.len() > MAX_CHOSEN {
                return Err(AppError::invalid("customers", format!("choose from 1 to {MAX_CHOSEN} customers")));
            }
            let known = sqlx::query_scalar!(
                r#"select count(*) as "n!" from customer
                    where workspace_id = $1 and id = any($2) and merged_into_id is null"#,
                workspace_id,
                &ids
            )
            .fetch_one(&mut *conn)
            .await?;
            if known != ids.len() as i64 {
                return Err(AppError::invalid(
                    "customers",
                    format!("{} of these customers are not in this workspace", ids.len() as i64 - known),
                ));
            }
            (None, Some(ids))
        }
    };
    let id = crate::jobs::db::queue(conn, workspace_id, JobKind::Bulk, actor, now).await?;
    sqlx::query!(
        "insert into bulk_action (workspace_id, job_id, query, chosen, action, value) values ($1, $2, $3, $4, $5, $6)",
        workspace_id,
        id,
        query,
        chosen.as_deref(),
        request.action.as_str(),
        serde_json::to_value(&change).map_err(AppError::internal)?
    )
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Does the queued bulk action `id` (or its undo) before answering when it concerns at most `AT_ONCE`
/// customers: takes it from the queue, unless a worker got there first, and runs it here.
pub async fn run_now_if_small(pool: &PgPool, clock: &crate::clock::Clock, workspace_id: i64, id: i64) -> AppResult<()> {
    let mut conn = pool.acquire().await?;
    let job = crate::jobs::db::job(&mut conn, workspace_id, JobKind::Bulk, id).await?;
    let stored = stored(&mut conn, workspace_id, id).await?;
    drop(conn);
    let customers = match (job.rows_total, &stored.query, &stored.chosen) {
        (Some(total), _, _) => total,
        (None, _, Some(chosen)) => chosen.len() as i64,
        (None, Some(query), _) => {
            let query =
                crate::customers::list::CustomerQuery { limit: Some(1), ..crate::exports::db::read_query(query)? };
            crate::customers::list::db::list_customers(pool, workspace_id, &query).await?.total
        }
        (None, None, None) => 0,
    };
    if customers > AT_ONCE {
        return Ok(());
    }
    if let Some(job) = crate::jobs::db::claim_this(pool, id).await? {
        crate::jobs::worker::work(pool.clone(), *clock, job).await;
    }
    Ok(())
}

struct Stored {
    action: BulkKind,
    change: Change,
    query: Option<String>,
    chosen: Option<Vec<i64>>,
    undoing: bool,
    undone: bool,
    actor: Option<i64>,
}

async fn stored(conn: &mut PgConnection, workspace_id: i64, id: i64) -> AppResult<Stored> {
    let b = sqlx::query!(
        "select b.action, b.value, b.query, b.chosen, b.phase, b.undone_at, j.started_by
           from bulk_action b join job j on j.workspace_id = b.workspace_id and j.id = b.job_id
          where b.workspace_id = $1 and b.job_id = $2",
        workspace_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Stored {
        action: BulkKind::parse(&b.action).ok_or_else(|| AppError::internal(format!("action {}", b.action)))?,
        change: serde_json::from_value(b.value).map_err(AppError::internal)?,
        query: b.query,
        chosen: b.chosen,
        undoing: b.phase == "undo",
        undone: b.undone_at.is_some(),
        actor: b.started_by,
    })
}

/// The custom field a change sets, if any.
async fn custom_field(conn: &mut PgConnection, workspace_id: i64, change: &Change) -> AppResult<Option<CustomField>> {
    let Change::Field { field_id, .. } = change else { return Ok(None) };
    let fields = crate::custom_fields::fields(&mut *conn, workspace_id).await?;
    Ok(fields.into_iter().find(|f| f.id == *field_id))
}

/// The workspace's bulk action `id`.
pub async fn bulk_action(conn: &mut PgConnection, workspace_id: i64, id: i64) -> AppResult<BulkAction> {
    let job = crate::jobs::db::job(&mut *conn, workspace_id, JobKind::Bulk, id).await?;
    let stored = stored(conn, workspace_id, id).await?;
    let field = custom_field(conn, workspace_id, &stored.change).await?;
    Ok(BulkAction {
        job,
        action: stored.action,
        summary: stored.change.summary(field.as_ref()),
        undoing: stored.undoing && !stored.undone,
        undone: stored.undone,
    })
}

/// How many batches of a bulk action run side by side, each on its own connection and its own customers:
/// each customer written costs an entry in most of the customer table's indexes, work one connection
/// does on one core.
const LANES: i64 = 2;

/// Runs the bulk action the worker claimed, from where it stands: its customers fixed first (the list of
/// that moment), then batch after batch in `LANES` lanes, each batch committed with the progress it
/// makes (and, applying, its customers taken off the action's targets: done once, even across restarts).
pub async fn run(pool: &PgPool, clock: &crate::clock::Clock, progress: &mut Progress) -> AppResult<Outcome> {
    let job = progress.job;
    let stored = stored(&mut *pool.acquire().await?, job.workspace_id, job.id).await?;
    if !stored.undoing
        && let Some(outcome) = fix_targets(pool, &job, &stored).await?
    {
        return Ok(outcome);
    }
    let lanes = (0..LANES).map(|lane| run_lane(pool, clock, &job, &stored, lane));
    let ends = futures::future::try_join_all(lanes).await?;
    for end in [Outcome::Lost, Outcome::Canceled] {
        if ends.contains(&end) {
            return Ok(end);
        }
    }
    let mut tx = pool.begin().await?;
    let now = clock.now();
    let Some(done) = sqlx::query_scalar!(
        "select rows_done from job where id = $1 and claims = $2 and status = 'running' for update",
        job.id,
        job.claim
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Outcome::Lost);
    };
    let field = custom_field(&mut tx, job.workspace_id, &stored.change).await?;
    if stored.undoing {
        sqlx::query!(
            "update bulk_action set undone_at = $3 where workspace_id = $1 and job_id = $2",
            job.workspace_id,
            job.id,
            now
        )
        .execute(&mut *tx)
        .await?;
    }
    if crate::jobs::db::finish(&mut tx, &job, done, now).await? == crate::jobs::db::Report::Lost {
        return Ok(Outcome::Lost);
    }
    if let Some(user) = stored.actor {
        let title = format!(
            "Bulk action {}: {} ({} {})",
            if stored.undoing { "undone" } else { "done" },
            stored.change.summary(field.as_ref()),
            crate::ui::format::count(done),
            if done == 1 { "customer" } else { "customers" }
        );
        let kind = crate::notifications::NotificationKind::BulkDone;
        crate::notifications::db::notify(&mut tx, job.workspace_id, user, kind, &title, None, now).await?;
    }
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// The batches of one lane until it has none left (`Done`), the action is canceled or another worker
/// claimed it.
async fn run_lane(
    pool: &PgPool,
    clock: &crate::clock::Clock,
    job: &Claimed,
    stored: &Stored,
    lane: i64,
) -> AppResult<Outcome> {
    loop {
        let mut tx = pool.begin().await?;
        let now = clock.now();
        let canceled = sqlx::query_scalar!(
            "select cancel_requested from job where id = $1 and claims = $2 and status = 'running'",
            job.id,
            job.claim
        )
        .fetch_optional(&mut *tx)
        .await?;
        match canceled {
            None => return Ok(Outcome::Lost),
            Some(true) => return Ok(Outcome::Canceled),
            Some(false) => {}
        }
        let field = custom_field(&mut tx, job.workspace_id, &stored.change).await?;
        let worked = if stored.undoing {
            undo_batch(&mut tx, job, stored, field.as_ref(), lane, now).await?
        } else {
            apply_batch(&mut tx, job, stored, field.as_ref(), lane, now).await?
        };
        if worked == 0 {
            return Ok(Outcome::Done);
        }
        // the job's row, which every lane's batch updates, is locked last and only until the commit
        let mine = sqlx::query!(
            "update job set rows_done = rows_done + $3, heartbeat_at = now()
              where id = $1 and claims = $2 and status = 'running'",
            job.id,
            job.claim,
            worked as i64
        )
        .execute(&mut *tx)
        .await?;
        if mine.rows_affected() == 0 {
            return Ok(Outcome::Lost);
        }
        tx.commit().await?;
    }
}

/// Fixes the customers of a bulk action that has none yet (its first claim): the list's rows of this
/// moment, in its order, or the customers chosen that are still there. `None` when it goes on.
async fn fix_targets(pool: &PgPool, job: &Claimed, stored: &Stored) -> AppResult<Option<Outcome>> {
    let mut tx = pool.begin().await?;
    let total =
        sqlx::query_scalar!("select rows_total from job where id = $1 for update", job.id).fetch_one(&mut *tx).await?;
    if total.is_some() {
        return Ok(None);
    }
    let ids: Vec<i64> = match (&stored.query, &stored.chosen) {
        (Some(query), _) => {
            let query = crate::exports::db::read_query(query)?;
            let mut walk = Walk::start(&mut tx, job.workspace_id, &query, 10_000).await?;
            let mut ids = Vec::new();
            while let Some(page) = walk.next(&mut tx, job.workspace_id).await? {
                ids.extend(page);
            }
            ids
        }
        (None, Some(chosen)) => sqlx::query_scalar!(
            "select id from customer where workspace_id = $1 and id = any($2) and merged_into_id is null order by id",
            job.workspace_id,
            chosen
        )
        .fetch_all(&mut *tx)
        .await?,
        (None, None) => Vec::new(),
    };
    let positions: Vec<i32> = (0..ids.len() as i32).collect();
    sqlx::query!(
        "insert into bulk_target (workspace_id, job_id, position, customer_id)
         select $1, $2, * from unnest($3::int[], $4::bigint[])",
        job.workspace_id,
        job.id,
        &positions,
        &ids
    )
    .execute(&mut *tx)
    .await?;
    let claimed = sqlx::query!(
        "update job set rows_total = $3, rows_done = 0, heartbeat_at = now()
          where id = $1 and claims = $2 and status = 'running'",
        job.id,
        job.claim,
        ids.len() as i64
    )
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Ok(Some(Outcome::Lost));
    }
    tx.commit().await?;
    Ok(None)
}

/// The stored values of the change's field for these customers, locked for the batch (merged-away
/// customers are left out).
async fn current(
    conn: &mut PgConnection,
    workspace_id: i64,
    change: &Change,
    ids: &[i64],
) -> AppResult<BTreeMap<i64, Value>> {
    let rows = sqlx::query!(
        "select id, manager_id, vip_mark, bad_mark, email_subscription from customer
          where workspace_id = $1 and id = any($2) and merged_into_id is null
          order by id for no key update",
        workspace_id,
        ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut values: BTreeMap<i64, Value> = rows
        .into_iter()
        .map(|r| {
            let value = match change {
                Change::Manager { .. } => json!(r.manager_id),
                Change::Mark { mark: MarkColumn::Vip, .. } => json!(r.vip_mark),
                Change::Mark { mark: MarkColumn::Bad, .. } => json!(r.bad_mark),
                Change::Subscription { .. } => json!(r.email_subscription),
                Change::Note { .. } | Change::Field { .. } => Value::Null,
            };
            (r.id, value)
        })
        .collect();
    if let Change::Field { field_id, .. } = change {
        let ids: Vec<i64> = values.keys().copied().collect();
        for (customer, value) in crate::custom_fields::values_of_many(&mut *conn, workspace_id, *field_id, &ids).await?
        {
            values.insert(customer, json!(Some(value)));
        }
    }
    Ok(values)
}

/// Writes `value` (as `Change::stored` holds it) into the change's field for these customers, bumping
/// their version as an edit does; answers each customer's new version.
async fn write(
    conn: &mut PgConnection,
    workspace_id: i64,
    change: &Change,
    field: Option<&CustomField>,
    ids: &[i64],
    value: &Value,
    now: DateTime<Utc>,
) -> AppResult<HashMap<i64, i64>> {
    // the column it writes, and the customers' version bumped as an edit bumps it, in one statement: each
    // update of a customer writes every index of the table (measured: two statements per batch cost
    // twice as much)
    let column = match change {
        Change::Field { .. } => {
            let field = field.ok_or_else(|| AppError::Conflict("the custom field was removed".into()))?;
            let value: Option<FieldValue> = serde_json::from_value(value.clone()).map_err(AppError::internal)?;
            crate::custom_fields::set_many(&mut *conn, workspace_id, field, ids, value.as_ref(), now).await?;
            String::new()
        }
        Change::Note { .. } => unreachable!("notes are added and deleted, not written"),
        other => other.field(None),
    };
    let versions = sqlx::query!(
        "update customer
            set manager_id = case when $3 = 'manager' then $4 else manager_id end,
                vip_mark = case when $3 = 'vip_mark' then $5 else vip_mark end,
                bad_mark = case when $3 = 'bad_mark' then $5 else bad_mark end,
                email_subscription = case when $3 = 'email_subscription' then $6 else email_subscription end,
                version = version + 1, updated_at = $7
          where workspace_id = $1 and id = any($2)
         returning id, version",
        workspace_id,
        ids,
        &column,
        value.as_i64(),
        value.as_bool().unwrap_or(false),
        value.as_str().unwrap_or("unsubscribed"),
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(versions.into_iter().map(|r| (r.id, r.version)).collect())
}

/// How a stored value reads in the history (as the edit form's history shows it).
async fn shown(
    conn: &mut PgConnection,
    change: &Change,
    field: Option<&CustomField>,
    value: &Value,
) -> AppResult<Value> {
    Ok(match change {
        Change::Manager { .. } => match value.as_i64() {
            None => Value::Null,
            Some(user) => json!(
                sqlx::query_scalar!(
                    r#"select coalesce(nullif(btrim(u.name), ''), u.email) as "name!" from user_account u where u.id = $1"#,
                    user
                )
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_else(|| format!("user {user}"))
            ),
        },
        Change::Mark { .. } => json!(if value.as_bool() == Some(true) { "yes" } else { "no" }),
        Change::Subscription { .. } => value.clone(),
        Change::Field { .. } => {
            let value: Option<FieldValue> = serde_json::from_value(value.clone()).map_err(AppError::internal)?;
            json!(value.zip(field).map(|(v, f)| v.shown(f)))
        }
        Change::Note { .. } => Value::Null,
    })
}

/// Applies the change to the next batch of targets after `done`; answers how many targets it went
/// through (none: all done).
async fn apply_batch(
    tx: &mut PgConnection,
    job: &Claimed,
    stored: &Stored,
    field: Option<&CustomField>,
    lane: i64,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let ws = job.workspace_id;
    // the lane's next targets, in the list's order, taken off as the batch commits
    let targets = sqlx::query_scalar!(
        "delete from bulk_target where (workspace_id, job_id, position) in (
            select workspace_id, job_id, position from bulk_target
             where workspace_id = $1 and job_id = $2 and position % $3 = $4
             order by position limit $5 for update)
         returning customer_id",
        ws,
        job.id,
        LANES as i32,
        lane as i32,
        BATCH as i64
    )
    .fetch_all(&mut *tx)
    .await?;
    if targets.is_empty() {
        return Ok(0);
    }
    let current = current(tx, ws, &stored.change, &targets).await?;
    let mut events = Vec::new();
    if let Change::Note { body } = &stored.change {
        let ids: Vec<i64> = current.keys().copied().collect();
        let notes = sqlx::query!(
            "insert into note (workspace_id, customer_id, author_id, body, created_at, updated_at)
             select $1, id, $3, $4, $5, $5 from unnest($2::bigint[]) as id returning id, customer_id",
            ws,
            &ids,
            stored.actor,
            body,
            now
        )
        .fetch_all(&mut *tx)
        .await?;
        let (customers, note_ids): (Vec<i64>, Vec<i64>) = notes.iter().map(|n| (n.customer_id, n.id)).unzip();
        sqlx::query!(
            "insert into bulk_change (workspace_id, job_id, customer_id, note_id)
             select $1, $2, * from unnest($3::bigint[], $4::bigint[])",
            ws,
            job.id,
            &customers,
            &note_ids
        )
        .execute(&mut *tx)
        .await?;
        for note in notes {
            events.push(Recorded {
                customer_id: note.customer_id,
                actor_id: stored.actor,
                happened_at: now,
                event: Event::NoteAdded { note_id: note.id, excerpt: crate::ui::format::excerpt(body) },
            });
        }
    } else {
        let new = stored.change.stored();
        let changed: Vec<(i64, Value)> = current.into_iter().filter(|(_, old)| *old != new).collect();
        let ids: Vec<i64> = changed.iter().map(|(id, _)| *id).collect();
        if !ids.is_empty() {
            let versions = write(tx, ws, &stored.change, field, &ids, &new, now).await?;
            let olds: Vec<Value> = changed.iter().map(|(_, old)| old.clone()).collect();
            sqlx::query!(
                "insert into bulk_change (workspace_id, job_id, customer_id, old_value, new_value)
                 select $1, $2, id, old, $5 from unnest($3::bigint[], $4::jsonb[]) as x(id, old)",
                ws,
                job.id,
                &ids,
                &olds,
                new
            )
            .execute(&mut *tx)
            .await?;
            let new_shown = shown(tx, &stored.change, field, &new).await?;
            let mut old_shown: HashMap<String, Value> = HashMap::new();
            for (id, old) in changed {
                let key = old.to_string();
                if !old_shown.contains_key(&key) {
                    let text = shown(tx, &stored.change, field, &old).await?;
                    old_shown.insert(key.clone(), text);
                }
                events.push(Recorded {
                    customer_id: id,
                    actor_id: stored.actor,
                    happened_at: now,
                    event: Event::FieldChanged {
                        field: stored.change.field(field),
                        old: old_shown[&key].clone(),
                        new: new_shown.clone(),
                        label: field.map(|f| f.label.clone()),
                        version: versions.get(&id).copied(),
                        removed: false,
                    },
                });
            }
        }
    }
    crate::timeline::record_all(tx, ws, &events).await?;
    Ok(targets.len())
}

/// Puts back what the next batch of the action's changes changed, where nothing else changed it since;
/// answers how many changes it went through (none: all done).
async fn undo_batch(
    tx: &mut PgConnection,
    job: &Claimed,
    stored: &Stored,
    field: Option<&CustomField>,
    lane: i64,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let ws = job.workspace_id;
    let changes = sqlx::query!(
        "select customer_id, old_value, new_value, note_id from bulk_change
          where workspace_id = $1 and job_id = $2 and not undone and customer_id % $3 = $4
          order by customer_id limit $5",
        ws,
        job.id,
        LANES,
        lane,
        BATCH as i64
    )
    .fetch_all(&mut *tx)
    .await?;
    if changes.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = changes.iter().map(|c| c.customer_id).collect();
    let mut events = Vec::new();
    if let Change::Note { .. } = &stored.change {
        let notes: Vec<i64> = changes.iter().filter_map(|c| c.note_id).collect();
        let deleted = sqlx::query!(
            "delete from note where workspace_id = $1 and id = any($2) returning id, customer_id, body",
            ws,
            &notes
        )
        .fetch_all(&mut *tx)
        .await?;
        for note in deleted {
            events.push(Recorded {
                customer_id: note.customer_id,
                actor_id: stored.actor,
                happened_at: now,
                event: Event::NoteDeleted {
                    note_id: note.id,
                    excerpt: crate::ui::format::excerpt(&note.body),
                    body: note.body,
                },
            });
        }
    } else {
        let current = current(tx, ws, &stored.change, &ids).await?;
        // by the value to put back: one write each
        let mut back: BTreeMap<String, (Value, Vec<i64>)> = BTreeMap::new();
        for change in &changes {
            let new = change.new_value.clone().unwrap_or(Value::Null);
            if current.get(&change.customer_id) != Some(&new) {
                continue; // edited since: left as it is now
            }
            let old = change.old_value.clone().unwrap_or(Value::Null);
            back.entry(old.to_string()).or_insert_with(|| (old, Vec::new())).1.push(change.customer_id);
        }
        let new_shown = shown(tx, &stored.change, field, &stored.change.stored()).await?;
        for (old, customers) in back.into_values() {
            let versions = write(tx, ws, &stored.change, field, &customers, &old, now).await?;
            let old_shown = shown(tx, &stored.change, field, &old).await?;
            for id in customers {
                events.push(Recorded {
                    customer_id: id,
                    actor_id: stored.actor,
                    happened_at: now,
                    event: Event::FieldChanged {
                        field: stored.change.field(field),
                        old: new_shown.clone(),
                        new: old_shown.clone(),
                        label: field.map(|f| f.label.clone()),
                        version: versions.get(&id).copied(),
                        removed: false,
                    },
                });
            }
        }
    }
    sqlx::query!(
        "update bulk_change set undone = true where workspace_id = $1 and job_id = $2 and customer_id = any($3)",
        ws,
        job.id,
        &ids
    )
    .execute(&mut *tx)
    .await?;
    crate::timeline::record_all(tx, ws, &events).await?;
    Ok(changes.len())
}

/// Asks for the workspace's bulk action `id` to be undone: refused while it runs, once undone, and when a
/// later edit changed what it set for any of its customers (undoing would overwrite that edit).
pub async fn undo(conn: &mut PgConnection, workspace_id: i64, id: i64) -> AppResult<()> {
    let job = crate::jobs::db::job(&mut *conn, workspace_id, JobKind::Bulk, id).await?;
    let stored = stored(conn, workspace_id, id).await?;
    if stored.undoing || stored.undone {
        return Err(AppError::Conflict("this bulk action is undone already".into()));
    }
    if !matches!(job.status, JobStatus::Done | JobStatus::Canceled) {
        return Err(AppError::Conflict("this bulk action is still running: undo it once it has finished".into()));
    }
    let changes = sqlx::query!(
        "select customer_id, new_value from bulk_change where workspace_id = $1 and job_id = $2 order by customer_id",
        workspace_id,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    if !matches!(stored.change, Change::Note { .. }) {
        let mut touched = 0;
        for batch in changes.chunks(10_000) {
            let ids: Vec<i64> = batch.iter().map(|c| c.customer_id).collect();
            let current = current(conn, workspace_id, &stored.change, &ids).await?;
            touched += batch
                .iter()
                .filter(|c| current.get(&c.customer_id) != Some(&c.new_value.clone().unwrap_or(Value::Null)))
                .count();
        }
        if touched > 0 {
            return Err(AppError::Conflict(format!(
                "{} of its customers were edited since: undoing it would overwrite those edits",
                crate::ui::format::count(touched as i64)
            )));
        }
    }
    sqlx::query!("update bulk_action set phase = 'undo' where workspace_id = $1 and job_id = $2", workspace_id, id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "update job set status = 'queued', rows_done = 0, rows_total = $3, cancel_requested = false, error = null,
                        finished_at = null
          where workspace_id = $1 and id = $2",
        workspace_id,
        id,
        changes.len() as i64
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("select pg_notify('job', $1::bigint::text) as notified", id).fetch_one(&mut *conn).await?;
    Ok(())
}
