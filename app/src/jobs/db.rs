//! The job table's reads and writes: queueing, claiming (`for update skip locked`), signs of life and
//! progress, cancelling, and the outcome.

use super::{Job, JobKind, JobStatus};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

/// How long a running job's worker may stay silent before the job is taken to be orphaned (its server
/// stopped) and claimed again. Workers write a sign of life every `HEARTBEAT`.
pub const ORPHANED_AFTER_SECONDS: f64 = 30.0;
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(5);

/// A job claimed by this worker: `claim` is the job's count of claims when it was taken, which the worker
/// names in every write so that a worker that lost the job to another writes nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    pub workspace_id: i64,
    pub id: i64,
    pub kind: JobKind,
    pub claim: i32,
}

impl Claimed {
    /// The claim as the job's row reads after it was taken.
    fn read(workspace_id: i64, id: i64, kind: &str, claim: i32) -> Claimed {
        let kind = JobKind::parse(kind).expect("the table's check admits only known kinds");
        Claimed { workspace_id, id, kind, claim }
    }
}

/// Queues a job of `kind` (in the caller's transaction, with whatever else describes it) and wakes the
/// workers when that transaction commits.
pub async fn queue(
    conn: &mut PgConnection,
    workspace_id: i64,
    kind: JobKind,
    started_by: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let id = sqlx::query_scalar!(
        "insert into job (workspace_id, kind, started_by, created_at) values ($1, $2, $3, $4) returning id",
        workspace_id,
        kind.as_str(),
        started_by,
        now
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!("select pg_notify('job', $1::bigint::text) as notified", id).fetch_one(&mut *conn).await?;
    Ok(id)
}

/// Takes the oldest job waiting, or running with a worker silent for `ORPHANED_AFTER_SECONDS` (its
/// server stopped): it is running, claimed once more. Two workers never take the same job (`skip locked`).
pub async fn claim(pool: &PgPool) -> AppResult<Option<Claimed>> {
    let claimed = sqlx::query!(
        r#"update job set status = 'running', claims = claims + 1, heartbeat_at = now()
            where id = (select id from job
                         where status = 'queued'
                            or (status = 'running'
                                and heartbeat_at < now() - make_interval(secs => $1))
                         order by id
                         for update skip locked
                         limit 1)
        returning workspace_id, id, kind, claims"#,
        ORPHANED_AFTER_SECONDS
    )
    .fetch_optional(pool)
    .await?;
    Ok(claimed.map(|c| Claimed::read(c.workspace_id, c.id, &c.kind, c.claims)))
}

/// Takes the waiting job `id` (to run it before answering a request); none when a worker took it first.
pub async fn claim_this(pool: &PgPool, id: i64) -> AppResult<Option<Claimed>> {
    let claimed = sqlx::query!(
        "update job set status = 'running', claims = claims + 1, heartbeat_at = now()
          where id = $1 and status = 'queued'
        returning workspace_id, id, kind, claims",
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(claimed.map(|c| Claimed::read(c.workspace_id, c.id, &c.kind, c.claims)))
}

/// What the worker learns when it reports: whether to go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    GoOn,
    /// A member asked to cancel it.
    Cancel,
    /// Another worker claimed it (this one was silent too long): stop without writing.
    Lost,
}

/// A sign of life with the progress so far (on its own connection, so that pages see it while the job's
/// work is uncommitted), answering whether to go on.
pub async fn report(pool: &PgPool, job: &Claimed, rows_done: i64, rows_total: Option<i64>) -> AppResult<Report> {
    let cancel = sqlx::query_scalar!(
        "update job set heartbeat_at = now(), rows_done = $3, rows_total = coalesce($4, rows_total)
          where id = $1 and claims = $2 and status = 'running'
        returning cancel_requested",
        job.id,
        job.claim,
        rows_done,
        rows_total
    )
    .fetch_optional(pool)
    .await?;
    Ok(match cancel {
        None => Report::Lost,
        Some(true) => Report::Cancel,
        Some(false) => Report::GoOn,
    })
}

/// Marks the job done in the transaction that holds its work: the work commits with its outcome, or
/// neither does. `Lost` when another worker has claimed it meanwhile (the caller rolls back).
pub async fn finish(conn: &mut PgConnection, job: &Claimed, rows_done: i64, now: DateTime<Utc>) -> AppResult<Report> {
    let done = sqlx::query!(
        "update job set status = 'done', rows_done = $3, rows_total = $3, finished_at = $4, heartbeat_at = now()
          where id = $1 and claims = $2 and status = 'running'",
        job.id,
        job.claim,
        rows_done,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(if done.rows_affected() == 1 { Report::GoOn } else { Report::Lost })
}

/// How the job stands for the transaction that would finish it, its row locked until that transaction
/// ends: a cancel asked before wins (the work is rolled back), one asked meanwhile waits and then finds
/// the job finished.
pub async fn standing(conn: &mut PgConnection, job: &Claimed) -> AppResult<Report> {
    let cancel = sqlx::query_scalar!(
        "select cancel_requested from job where id = $1 and claims = $2 and status = 'running' for update",
        job.id,
        job.claim
    )
    .fetch_optional(conn)
    .await?;
    Ok(match cancel {
        None => Report::Lost,
        Some(true) => Report::Cancel,
        Some(false) => Report::GoOn,
    })
}

/// Ends the job as failed (`error` in words for the seller) or canceled (`error` none), unless another
/// worker has claimed it.
pub async fn end(
    pool: &PgPool,
    job: &Claimed,
    status: JobStatus,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    debug_assert!(matches!(status, JobStatus::Failed | JobStatus::Canceled));
    sqlx::query!(
        "update job set status = $3, error = $4, finished_at = $5
          where id = $1 and claims = $2 and status = 'running'",
        job.id,
        job.claim,
        status.as_str(),
        error,
        now
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Asks the workspace's job `id` of `kind` to stop: a waiting job is canceled at once, a running one at
/// its worker's next report. Finished jobs are left as they are (`Conflict`).
pub async fn cancel(pool: &PgPool, workspace_id: i64, kind: JobKind, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    let status = sqlx::query_scalar!(
        "update job set cancel_requested = true,
                        status = case when status = 'queued' then 'canceled' else status end,
                        finished_at = case when status = 'queued' then $4 else finished_at end
          where workspace_id = $1 and id = $2 and kind = $3
        returning status",
        workspace_id,
        id,
        kind.as_str(),
        now
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    match JobStatus::parse(&status) {
        Some(JobStatus::Done) => Err(AppError::Conflict("this job has already finished".into())),
        Some(JobStatus::Failed) => Err(AppError::Conflict("this job has already failed".into())),
        _ => Ok(()),
    }
}

/// The workspace's job `id` of `kind`.
pub async fn job(conn: &mut PgConnection, workspace_id: i64, kind: JobKind, id: i64) -> AppResult<Job> {
    let r = sqlx::query!(
        r#"select j.id, j.kind, j.status, coalesce(nullif(btrim(u.name), ''), u.email) as started_by,
                  j.rows_total, j.rows_done, j.cancel_requested, j.error, j.created_at, j.finished_at
             from job j left join user_account u on u.id = j.started_by
            where j.workspace_id = $1 and j.id = $2 and j.kind = $3"#,
        workspace_id,
        id,
        kind.as_str()
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Job {
        id: r.id,
        kind: JobKind::parse(&r.kind).expect("the table's check admits only known kinds"),
        status: JobStatus::parse(&r.status).expect("the table's check admits only known statuses"),
        started_by: r.started_by,
        rows_total: r.rows_total,
        rows_done: r.rows_done,
        cancel_requested: r.cancel_requested,
        error: r.error,
        created_at: r.created_at,
        finished_at: r.finished_at,
    })
}
