//! Notifications in the database: written in the transaction of what they tell about, read per member.

use super::{Inbox, Notification, NotificationKind};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

/// How many notifications the bell lists.
const LATEST: i64 = 20;

/// Tells `user_id` of the workspace about something (in the caller's transaction).
pub async fn notify(
    conn: &mut PgConnection,
    workspace_id: i64,
    user_id: i64,
    kind: NotificationKind,
    title: &str,
    link: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "insert into notification (workspace_id, user_id, kind, title, link, created_at)
         values ($1, $2, $3, $4, $5, $6)",
        workspace_id,
        user_id,
        kind.as_str(),
        title,
        link,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Tells the member who started export `job_id` that its file is ready (nobody for the API's).
pub async fn export_ready(
    conn: &mut PgConnection,
    workspace_id: i64,
    job_id: i64,
    rows: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let started_by =
        sqlx::query_scalar!("select started_by from job where workspace_id = $1 and id = $2", workspace_id, job_id)
            .fetch_one(&mut *conn)
            .await?;
    let Some(user_id) = started_by else { return Ok(()) };
    let title = format!(
        "Your export of {} {} is ready",
        crate::ui::format::count(rows),
        if rows == 1 { "customer" } else { "customers" }
    );
    let link = format!("/exports/{job_id}/download");
    notify(conn, workspace_id, user_id, NotificationKind::ExportReady, &title, Some(&link), now).await
}

pub async fn inbox(pool: &PgPool, workspace_id: i64, user_id: i64) -> AppResult<Inbox> {
    let unread = sqlx::query_scalar!(
        r#"select count(*) as "n!" from notification where workspace_id = $1 and user_id = $2 and read_at is null"#,
        workspace_id,
        user_id
    )
    .fetch_one(pool)
    .await?;
    let latest = sqlx::query!(
        "select id, kind, title, link, created_at, read_at from notification
          where workspace_id = $1 and user_id = $2 order by id desc limit $3",
        workspace_id,
        user_id,
        LATEST
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|n| {
        Ok(Notification {
            id: n.id,
            kind: NotificationKind::parse(&n.kind).ok_or_else(|| AppError::internal(format!("kind {}", n.kind)))?,
            title: n.title,
            link: n.link,
            created_at: n.created_at,
            read: n.read_at.is_some(),
        })
    })
    .collect::<AppResult<_>>()?;
    Ok(Inbox { unread, latest })
}

/// Marks the member's notification `id` read, or all of theirs (`id` none); another member's is
/// `NotFound`.
pub async fn mark_read(
    pool: &PgPool,
    workspace_id: i64,
    user_id: i64,
    id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let marked = sqlx::query!(
        "update notification set read_at = coalesce(read_at, $4)
          where workspace_id = $1 and user_id = $2 and ($3::bigint is null or id = $3)",
        workspace_id,
        user_id,
        id,
        now
    )
    .execute(pool)
    .await?;
    if id.is_some() && marked.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
