//! Tasks and their comments in the database; creating, commenting, completing and reopening each leave an
//! event on the customer's timeline.

use super::{CustomerWork, MAX_COMMENT, MAX_TITLE, Task, TaskComment};
use crate::error::{AppError, AppResult};
use crate::notifications::NotificationKind;
use crate::notifications::db::notify;
use crate::timeline::event::{Event, TaskChange};
use crate::ui::format::excerpt;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

/// The customer's tasks with their comments, their open orders, and who a task can go to.
pub async fn customer_work(
    pool: &PgPool,
    workspace_id: i64,
    customer: i64,
    now: DateTime<Utc>,
) -> AppResult<CustomerWork> {
    crate::customers::require_customer(pool, workspace_id, customer).await?;
    let rows = sqlx::query!(
        r#"select t.id, t.title, coalesce(nullif(btrim(a.name), ''), a.email) as assignee, t.due_on, t.done_at,
                  coalesce(t.done_at is null and t.due_on < ($3::timestamptz at time zone w.time_zone)::date, false)
                    as "overdue!",
                  coalesce(nullif(btrim(c.name), ''), c.email) as created_by, t.created_at
             from task t
             join workspace w on w.id = t.workspace_id
             left join user_account a on a.id = t.assignee_id
             left join user_account c on c.id = t.created_by
            where t.workspace_id = $1 and t.customer_id = $2
            order by t.done_at is not null, t.done_at desc, t.due_on nulls last, t.created_at desc, t.id desc
            limit 200"#,
        workspace_id,
        customer,
        now
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut comments = sqlx::query!(
        r#"select k.task_id, k.id, k.body, coalesce(nullif(btrim(u.name), ''), u.email) as author, k.created_at
             from task_comment k left join user_account u on u.id = k.author_id
            where k.workspace_id = $1 and k.task_id = any($2)
            order by k.created_at, k.id"#,
        workspace_id,
        &ids
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .peekable();
    let mut tasks: Vec<Task> = rows
        .into_iter()
        .map(|r| Task {
            id: r.id,
            title: r.title,
            assignee: r.assignee,
            due_on: r.due_on,
            done_at: r.done_at,
            overdue: r.overdue,
            created_by: r.created_by,
            created_at: r.created_at,
            comments: Vec::new(),
        })
        .collect();
    for comment in comments.by_ref() {
        if let Some(task) = tasks.iter_mut().find(|t| t.id == comment.task_id) {
            task.comments.push(TaskComment {
                id: comment.id,
                body: comment.body,
                author: comment.author,
                created_at: comment.created_at,
            });
        }
    }
    let open_orders = crate::orders::open_orders(pool, workspace_id, customer).await?;
    let members = crate::accounts::db::member_choices(pool, workspace_id).await?;
    Ok(CustomerWork { tasks, open_orders, members })
}

/// A new task as typed in the form.
pub struct NewTask<'a> {
    pub title: &'a str,
    /// A member's user id, or blank.
    pub assignee: &'a str,
    /// `YYYY-MM-DD`, or blank.
    pub due: &'a str,
}

pub async fn add(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: i64,
    now: DateTime<Utc>,
    customer: i64,
    new: &NewTask<'_>,
) -> AppResult<i64> {
    let mut problems = Vec::new();
    let title = new.title.trim();
    if title.is_empty() {
        problems.push(("title", "give the task a title".to_string()));
    } else if title.chars().count() > MAX_TITLE {
        problems.push(("title", format!("a title holds at most {MAX_TITLE} characters")));
    }
    let due = match new.due.trim() {
        "" => None,
        text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(day) => Some(day),
            Err(_) => {
                problems.push(("due", format!("“{text}” is not a date; use a date like 2026-12-31")));
                None
            }
        },
    };
    let assignee = match new.assignee.trim() {
        "" => None,
        text => {
            let member = match text.parse::<i64>() {
                Ok(id) => {
                    sqlx::query_scalar!(
                        "select user_id from membership where workspace_id = $1 and user_id = $2
                        and deactivated_at is null and role in ('admin', 'agent')",
                        workspace_id,
                        id
                    )
                    .fetch_optional(&mut *conn)
                    .await?
                }
                Err(_) => None,
            };
            if member.is_none() {
                problems.push(("assignee", "choose an active admin or agent of this workspace".to_string()));
            }
            member
        }
    };
    if !problems.is_empty() {
        return Err(AppError::Invalid(
            problems
                .into_iter()
                .map(|(path, message)| crate::error::FieldError { path: path.into(), message })
                .collect(),
        ));
    }
    let id = sqlx::query_scalar!(
        "insert into task (workspace_id, customer_id, title, assignee_id, due_on, created_by, created_at, updated_at)
         select $1, id, $3, $4, $5, $6, $7, $7 from customer where workspace_id = $1 and id = $2
         returning id",
        workspace_id,
        customer,
        title,
        assignee,
        due,
        actor,
        now
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let event = Event::TaskCreated { task_id: Some(id), title: title.to_string(), due_on: due, assignee_id: assignee };
    crate::timeline::record(conn, workspace_id, customer, Some(actor), now, event).await?;
    // a task given to someone else: they hear of it (not those who take a task themselves)
    if let Some(assignee) = assignee.filter(|a| *a != actor) {
        let link = format!("/customers/{customer}");
        let title = format!("Task assigned to you: {title}");
        notify(conn, workspace_id, assignee, NotificationKind::TaskAssigned, &title, Some(&link), now).await?;
    }
    Ok(id)
}

/// Tells the assignees of open tasks whose due day has passed (in their workspace's time zone) at `now`,
/// each task once: the tasks are marked told by the statement that writes the notifications. Answers how
/// many were told.
pub async fn tell_overdue(pool: &PgPool, now: DateTime<Utc>) -> AppResult<u64> {
    let told = sqlx::query!(
        "with overdue as (
             update task t set overdue_told_at = $1
               from workspace w
              where w.id = t.workspace_id and t.done_at is null and t.assignee_id is not null
                and t.overdue_told_at is null and t.due_on < ($1 at time zone w.time_zone)::date
             returning t.workspace_id, t.assignee_id, t.customer_id, t.title)
         insert into notification (workspace_id, user_id, kind, title, link, created_at)
         select workspace_id, assignee_id, $2, 'Task overdue: ' || title, '/customers/' || customer_id, $1
           from overdue",
        now,
        NotificationKind::TaskOverdue.as_str()
    )
    .execute(pool)
    .await?;
    Ok(told.rows_affected())
}

/// The task's customer and title, locked against a concurrent delete of the customer.
async fn task_of(conn: &mut PgConnection, workspace_id: i64, task: i64) -> AppResult<(i64, String, bool)> {
    let row = sqlx::query!(
        r#"select customer_id, title, done_at is not null as "done!" from task
            where workspace_id = $1 and id = $2 for update"#,
        workspace_id,
        task
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((row.customer_id, row.title, row.done))
}

pub async fn comment(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: i64,
    now: DateTime<Utc>,
    task: i64,
    body: &str,
) -> AppResult<i64> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "write something first"));
    }
    if body.chars().count() > MAX_COMMENT {
        return Err(AppError::invalid("body", format!("a comment holds at most {MAX_COMMENT} characters")));
    }
    let (customer, title, _) = task_of(conn, workspace_id, task).await?;
    let id = sqlx::query_scalar!(
        "insert into task_comment (workspace_id, task_id, author_id, body, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $5) returning id",
        workspace_id,
        task,
        actor,
        body,
        now
    )
    .fetch_one(&mut *conn)
    .await?;
    let event = Event::TaskCommented { task_id: Some(task), title, excerpt: excerpt(body) };
    crate::timeline::record(conn, workspace_id, customer, Some(actor), now, event).await?;
    Ok(id)
}

/// Marks the task done or open again; asking for what it already is changes nothing.
pub async fn set_done(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: i64,
    now: DateTime<Utc>,
    task: i64,
    done: bool,
) -> AppResult<()> {
    let (customer, title, was_done) = task_of(conn, workspace_id, task).await?;
    if was_done == done {
        return Ok(());
    }
    sqlx::query!(
        "update task set done_at = case when $3 then $4::timestamptz end, updated_at = $4
          where workspace_id = $1 and id = $2",
        workspace_id,
        task,
        done,
        now
    )
    .execute(&mut *conn)
    .await?;
    let event = if done {
        Event::TaskCompleted { task_id: Some(task), title }
    } else {
        Event::TaskChanged { task_id: Some(task), title, change: Some(TaskChange::Reopened) }
    };
    crate::timeline::record(conn, workspace_id, customer, Some(actor), now, event).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Role;
    use crate::accounts::db::{add_member, create_workspace};

    fn new<'a>(title: &'a str, assignee: &'a str, due: &'a str) -> NewTask<'a> {
        NewTask { title, assignee, due }
    }

    fn fields(error: AppError) -> Vec<String> {
        match error {
            AppError::Invalid(fields) => fields.into_iter().map(|f| f.path).collect(),
            other => panic!("expected invalid fields, got {other:?}"),
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_task_is_created_commented_completed_and_reopened(pool: PgPool) {
        // the workspace lives in Berlin: at 23:30 UTC on 1 March it is already 2 March there
        let ws = create_workspace(&pool, "shop", "Shop", "EUR", "Europe/Berlin").await.unwrap().id;
        let ann = add_member(&pool, ws, "ann@shop.example", Role::Agent, Some("$argon2id$test")).await.unwrap();
        let vic = add_member(&pool, ws, "vic@shop.example", Role::Viewer, Some("$argon2id$test")).await.unwrap();
        let customer = crate::customers::manual_customer(&pool, ws).await;
        let now: DateTime<Utc> = "2026-03-01T23:30:00Z".parse().unwrap();
        let mut tx = pool.begin().await.unwrap();
        let call =
            add(&mut tx, ws, ann, now, customer, &new("  Call back about the refund ", &ann.to_string(), "2026-03-01"))
                .await
                .unwrap();
        let send = add(&mut tx, ws, ann, now, customer, &new("Send the invoice", "", "2026-03-02")).await.unwrap();
        let someday = add(&mut tx, ws, ann, now, customer, &new("Ask for a review", "", "")).await.unwrap();
        // every bad field is named at once; a viewer cannot be given a task
        let bad = add(&mut tx, ws, ann, now, customer, &new(" ", &vic.to_string(), "31.12.2026")).await.unwrap_err();
        assert_eq!(fields(bad), ["title", "due", "assignee"]);
        let bad = add(&mut tx, ws, ann, now, customer, &new("x", "nobody", "")).await.unwrap_err();
        assert_eq!(fields(bad), ["assignee"]);
        let long = "x".repeat(MAX_TITLE + 1);
        assert_eq!(fields(add(&mut tx, ws, ann, now, customer, &new(&long, "", "")).await.unwrap_err()), ["title"]);
        comment(&mut tx, ws, ann, now, call, "Left a voicemail.").await.unwrap();
        comment(&mut tx, ws, ann, now + chrono::Duration::minutes(5), call, "She called back <b>happy</b>.")
            .await
            .unwrap();
        assert_eq!(fields(comment(&mut tx, ws, ann, now, call, "  ").await.unwrap_err()), ["body"]);
        tx.commit().await.unwrap();

        let work = customer_work(&pool, ws, customer, now).await.unwrap();
        let titles: Vec<&str> = work.tasks.iter().map(|t| t.title.as_str()).collect();
        // open tasks, soonest due first, undated last
        assert_eq!(titles, ["Call back about the refund", "Send the invoice", "Ask for a review"]);
        // due on 1 March, and it is 2 March in Berlin: overdue; the one due today is not
        assert_eq!(work.tasks.iter().map(|t| t.overdue).collect::<Vec<_>>(), [true, false, false]);
        assert_eq!(work.tasks[0].assignee.as_deref(), Some("ann@shop.example"));
        let comments: Vec<&str> = work.tasks[0].comments.iter().map(|c| c.body.as_str()).collect();
        assert_eq!(comments, ["Left a voicemail.", "She called back <b>happy</b>."]);
        // only admins and agents can take tasks
        assert_eq!(work.members, [(ann, "ann@shop.example".to_string())]);

        let later = now + chrono::Duration::minutes(10);
        let mut tx = pool.begin().await.unwrap();
        set_done(&mut tx, ws, ann, later, call, true).await.unwrap();
        set_done(&mut tx, ws, ann, later, call, true).await.unwrap(); // again: nothing more happens
        set_done(&mut tx, ws, ann, later, someday, true).await.unwrap();
        set_done(&mut tx, ws, ann, later, someday, false).await.unwrap();
        tx.commit().await.unwrap();
        let work = customer_work(&pool, ws, customer, later).await.unwrap();
        let state: Vec<(&str, bool, bool)> =
            work.tasks.iter().map(|t| (t.title.as_str(), t.done_at.is_some(), t.overdue)).collect();
        // a done task is never overdue, and comes after the open ones
        assert_eq!(
            state,
            [
                ("Send the invoice", false, false),
                ("Ask for a review", false, false),
                ("Call back about the refund", true, false)
            ]
        );

        let tab = crate::timeline::timeline(&pool, ws, customer, "tasks", None, 20).await.unwrap();
        let texts: Vec<&str> = tab.items.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Task reopened: Ask for a review",
                "Task completed: Ask for a review",
                "Task completed: Call back about the refund",
                "Comment on task Call back about the refund: “She called back <b>happy</b>.”",
                "Comment on task Call back about the refund: “Left a voicemail.”",
                "Task created: Ask for a review",
                "Task created: Send the invoice",
                "Task created: Call back about the refund",
            ]
        );

        // another workspace sees and changes none of it
        let other = create_workspace(&pool, "other", "Other", "EUR", "UTC").await.unwrap().id;
        assert!(matches!(customer_work(&pool, other, customer, now).await, Err(AppError::NotFound)));
        let mut tx = pool.begin().await.unwrap();
        assert!(matches!(comment(&mut tx, other, ann, now, call, "hi").await, Err(AppError::NotFound)));
        assert!(matches!(set_done(&mut tx, other, ann, now, send, true).await, Err(AppError::NotFound)));
        assert!(matches!(add(&mut tx, other, ann, now, customer, &new("x", "", "")).await, Err(AppError::NotFound)));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn assignees_hear_of_tasks_given_to_them_and_once_when_they_are_overdue(pool: PgPool) {
        // in Berlin: at 23:30 UTC on 1 March it is already 2 March there
        let ws = create_workspace(&pool, "shop", "Shop", "EUR", "Europe/Berlin").await.unwrap().id;
        let ann = add_member(&pool, ws, "ann@shop.example", Role::Agent, Some("$argon2id$test")).await.unwrap();
        let bob = add_member(&pool, ws, "bob@shop.example", Role::Agent, Some("$argon2id$test")).await.unwrap();
        let customer = crate::customers::manual_customer(&pool, ws).await;
        let created: DateTime<Utc> = "2026-02-20T09:00:00Z".parse().unwrap();
        let mut tx = pool.begin().await.unwrap();
        let given = add(&mut tx, ws, ann, created, customer, &new("Call back", &bob.to_string(), "2026-03-01")).await;
        let own = add(&mut tx, ws, ann, created, customer, &new("Ship it", &ann.to_string(), "2026-03-01")).await;
        add(&mut tx, ws, ann, created, customer, &new("Due today", &bob.to_string(), "2026-03-02")).await.unwrap();
        let done =
            add(&mut tx, ws, ann, created, customer, &new("Done", &bob.to_string(), "2026-02-25")).await.unwrap();
        add(&mut tx, ws, ann, created, customer, &new("Nobody's", "", "2026-02-25")).await.unwrap();
        set_done(&mut tx, ws, bob, created, done, true).await.unwrap();
        tx.commit().await.unwrap();
        let (given, own) = (given.unwrap(), own.unwrap());
        assert_ne!(given, own);
        let told = |user: i64| {
            let pool = pool.clone();
            async move {
                crate::notifications::db::inbox(&pool, ws, user)
                    .await
                    .unwrap()
                    .latest
                    .into_iter()
                    .map(|n| (n.kind, n.title, n.link.unwrap_or_default()))
                    .collect::<Vec<_>>()
            }
        };
        let link = format!("/customers/{customer}");
        let assigned =
            |title: &str| (NotificationKind::TaskAssigned, format!("Task assigned to you: {title}"), link.clone());
        assert_eq!(told(bob).await, [assigned("Done"), assigned("Due today"), assigned("Call back")]);
        assert_eq!(told(ann).await, [], "who takes a task themselves is not told");

        // 1 March in Berlin: nothing is overdue yet; 2 March: the open, assigned tasks due on 1 March
        assert_eq!(tell_overdue(&pool, "2026-03-01T22:30:00Z".parse().unwrap()).await.unwrap(), 0);
        let now: DateTime<Utc> = "2026-03-01T23:30:00Z".parse().unwrap();
        assert_eq!(tell_overdue(&pool, now).await.unwrap(), 2);
        assert_eq!(tell_overdue(&pool, now + chrono::Duration::hours(1)).await.unwrap(), 0, "told once");
        let overdue = |title: &str| (NotificationKind::TaskOverdue, format!("Task overdue: {title}"), link.clone());
        assert_eq!(told(bob).await[0], overdue("Call back"));
        assert_eq!(told(ann).await, [overdue("Ship it")]);
    }
}
