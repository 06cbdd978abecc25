//! Tasks on a customer (SPEC §2): a title, an assignee, a due date, done or not, and comments. Open tasks
//! and open orders make the customer page's "In work" block; an open task past its due day (in the
//! workspace's time zone) is overdue, said in words as well as colour.

#[cfg(feature = "ssr")]
pub mod db;
pub mod view;

use crate::error::AppError;
use crate::orders::OrderRow;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A task's longest title.
pub const MAX_TITLE: usize = 200;
/// A comment's longest text.
pub const MAX_COMMENT: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: i64,
    pub title: String,
    /// The member it is assigned to (name or email); none when nobody is.
    pub assignee: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub done_at: Option<DateTime<Utc>>,
    /// Open and due before today (the workspace's day).
    pub overdue: bool,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Oldest first.
    pub comments: Vec<TaskComment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskComment {
    pub id: i64,
    pub body: String,
    pub author: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What is going on with a customer: their tasks (open first, soonest due first) and open orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerWork {
    pub tasks: Vec<Task>,
    /// Orders not yet delivered, canceled or returned (pending, paid, in transit), newest first.
    pub open_orders: Vec<OrderRow>,
    /// Members a task can be assigned to: (user id, name or email).
    pub members: Vec<(i64, String)>,
}

#[server(output = crate::codec::TextJson)]
pub async fn load_work(customer: i64) -> Result<CustomerWork, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        db::customer_work(&state.pool, caller.workspace_id, customer, state.clock.now()).await
    })
    .await
}

/// Creates a task; `assignee` is a member's user id or blank, `due` a date (`2026-12-31`) or blank.
#[server(endpoint = "add_task", output = crate::codec::TextJson)]
pub async fn add_task(customer: i64, title: String, assignee: String, due: String) -> Result<i64, AppError> {
    use crate::accounts::Role;
    let new = db::NewTask { title: &title, assignee: &assignee, due: &due };
    crate::guard_write!(Role::Agent, |tx, w| db::add(tx, w.workspace_id, w.actor, w.now, customer, &new)).await
}

#[server(endpoint = "comment_task", output = crate::codec::TextJson)]
pub async fn comment_task(task: i64, body: String) -> Result<i64, AppError> {
    use crate::accounts::Role;
    crate::guard_write!(Role::Agent, |tx, w| db::comment(tx, w.workspace_id, w.actor, w.now, task, &body)).await
}

/// Marks the task done (`done = true`) or open again.
#[server(endpoint = "set_task_done", output = crate::codec::TextJson)]
pub async fn set_task_done(task: i64, done: bool) -> Result<(), AppError> {
    use crate::accounts::Role;
    crate::guard_write!(Role::Agent, |tx, w| db::set_done(tx, w.workspace_id, w.actor, w.now, task, done)).await
}
