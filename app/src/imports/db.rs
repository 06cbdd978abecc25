//! Imports in the database: a file queued as a job, then read by a worker a chunk of rows at a time —
//! each chunk's customers and problems committed together, with progress — and the import as its page
//! and the API show it. A run started over (a restart) reads the file again from the top: every row it
//! already stored is found unchanged, so nothing is stored twice.

use super::shopify_csv::{Layout, row};
use super::{CustomerImport, ImportFormat, MAX_PROBLEMS_SHOWN, RowProblem};
use crate::error::{AppError, AppResult};
use crate::ingest::{Ingested, Outcome, ingest_customers};
use crate::jobs::JobKind;
use crate::jobs::db::Report;
use crate::jobs::worker::{Outcome as JobOutcome, Progress};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

/// Rows stored per transaction.
const CHUNK: usize = 500;

fn reader(content: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(true).from_reader(content.as_bytes())
}

/// Checks the file's headers and queues its import into channel `channel`.
pub async fn start(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: Option<i64>,
    channel: &str,
    format: ImportFormat,
    content: String,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let found =
        sqlx::query!("select id, kind from channel where workspace_id = $1 and key = $2", workspace_id, channel)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| AppError::invalid("channel", format!("there is no channel {channel:?}: add it first")))?;
    if found.kind == crate::channels::ChannelKind::Manual.as_str() {
        return Err(AppError::invalid(
            "channel",
            "import into the channel of the shop the file comes from, not the customers added by hand",
        ));
    }
    let channel_id = found.id;
    let content = content.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(content);
    let mut file = reader(&content);
    let headers = file.headers().map_err(|e| AppError::invalid("file", format!("the file is not CSV: {e}")))?;
    match format {
        ImportFormat::ShopifyCustomers => Layout::read(headers).map_err(|why| AppError::invalid("file", why))?,
    };
    if crate::checks::has_nul(&content) {
        return Err(AppError::invalid("file", "the file contains NUL characters: it is not a text file"));
    }
    let id = crate::jobs::db::queue(conn, workspace_id, JobKind::Import, actor, now).await?;
    sqlx::query!(
        "insert into customer_import (workspace_id, job_id, channel_id, format, content) values ($1, $2, $3, $4, $5)",
        workspace_id,
        id,
        channel_id,
        format.as_str(),
        content
    )
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Reads the import's file into its channel.
pub async fn run(pool: &PgPool, clock: &crate::clock::Clock, progress: &mut Progress) -> AppResult<JobOutcome> {
    let job = progress.job;
    let stored = sqlx::query!(
        "select i.content, c.key from customer_import i join channel c on c.workspace_id = i.workspace_id and c.id = i.channel_id
          where i.workspace_id = $1 and i.job_id = $2",
        job.workspace_id,
        job.id
    )
    .fetch_one(pool)
    .await?;
    let mut file = reader(&stored.content);
    let layout = Layout::read(file.headers().map_err(AppError::internal)?).map_err(AppError::BadRequest)?;
    let records: Vec<_> = file.records().collect();
    progress.total(records.len() as i64);
    let (mut done, mut created, mut updated, mut unchanged) = (0i64, 0i32, 0i32, 0i32);
    for chunk in records.chunks(CHUNK) {
        let now = clock.now();
        let mut tx = pool.begin().await?;
        let mut customers = Vec::with_capacity(chunk.len());
        let mut accepts = Vec::with_capacity(chunk.len());
        for record in chunk {
            let (line, read) = match record {
                Ok(record) => (record.position().map_or(0, |p| p.line()), row(&layout, record, &stored.key)),
                Err(error) => (error.position().map_or(0, |p| p.line()), Err(format!("the row is not CSV: {error}"))),
            };
            match read {
                Ok(row) => {
                    customers.push(row.customer);
                    accepts.push(row.accepts_email);
                }
                Err(reason) => problem(&mut tx, job.workspace_id, job.id, line, &reason).await?,
            }
        }
        let stored_customers = ingest_customers(&mut tx, job.workspace_id, now, &customers).await?;
        let subscribed = subscriptions(&mut tx, job.workspace_id, &stored_customers, &accepts, now).await?;
        for stored in &stored_customers {
            match (stored.result, subscribed.contains(&stored.id)) {
                (Outcome::Created, _) => created += 1,
                (Outcome::Updated, _) | (Outcome::Unchanged, true) => updated += 1,
                (Outcome::Unchanged, false) => unchanged += 1,
            }
        }
        tx.commit().await?;
        done += chunk.len() as i64;
        match progress.done(done).await? {
            Report::GoOn => {}
            Report::Cancel => return Ok(JobOutcome::Canceled),
            Report::Lost => return Ok(JobOutcome::Lost),
        }
    }
    let mut tx = pool.begin().await?;
    if crate::jobs::db::standing(&mut tx, &job).await? != Report::GoOn {
        return Ok(JobOutcome::Canceled);
    }
    sqlx::query!(
        "update customer_import set created = $3, updated = $4, unchanged = $5 where workspace_id = $1 and job_id = $2",
        job.workspace_id,
        job.id,
        created,
        updated,
        unchanged
    )
    .execute(&mut *tx)
    .await?;
    let outcome = crate::jobs::db::finish(&mut tx, &job, done, clock.now()).await?;
    tx.commit().await?;
    Ok(if outcome == Report::GoOn { JobOutcome::Done } else { JobOutcome::Lost })
}

/// Sets whether each customer accepts email marketing, where the file says (the last row of a customer
/// wins); answers the customers whose answer changed.
async fn subscriptions(
    conn: &mut PgConnection,
    workspace_id: i64,
    stored: &[Ingested],
    accepts: &[Option<bool>],
    now: DateTime<Utc>,
) -> AppResult<std::collections::HashSet<i64>> {
    let (ids, values): (Vec<i64>, Vec<&str>) = stored
        .iter()
        .zip(accepts)
        .filter_map(|(s, a)| a.map(|yes| (s.id, if yes { "subscribed" } else { "unsubscribed" })))
        .unzip();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(sqlx::query_scalar!(
        "update customer c set email_subscription = v.value, updated_at = $4
           from (select distinct on (id) id, value
                   from unnest($2::bigint[], $3::text[]) with ordinality as u(id, value, n)
                  order by id, n desc) as v
          where c.workspace_id = $1 and c.id = v.id and c.email_subscription <> v.value
         returning c.id",
        workspace_id,
        &ids,
        &values as &[&str],
        now
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect())
}

async fn problem(conn: &mut PgConnection, workspace_id: i64, job_id: i64, line: u64, reason: &str) -> AppResult<()> {
    sqlx::query!(
        "insert into customer_import_problem (workspace_id, job_id, line, reason) values ($1, $2, $3, $4)
         on conflict do nothing",
        workspace_id,
        job_id,
        i32::try_from(line).unwrap_or(i32::MAX),
        reason
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The workspace's import `id`, with its first problems.
pub async fn import(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<CustomerImport> {
    let mut conn = pool.acquire().await?;
    let job = crate::jobs::db::job(&mut conn, workspace_id, JobKind::Import, id).await?;
    let i = sqlx::query!(
        r#"select c.key, i.format, i.created, i.updated, i.unchanged,
                  (select count(*) from customer_import_problem p where p.workspace_id = i.workspace_id and p.job_id = i.job_id) as "problems!"
             from customer_import i join channel c on c.workspace_id = i.workspace_id and c.id = i.channel_id
            where i.workspace_id = $1 and i.job_id = $2"#,
        workspace_id,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    let problems = sqlx::query_as!(
        RowProblem,
        "select line, reason from customer_import_problem where workspace_id = $1 and job_id = $2 order by line limit $3",
        workspace_id,
        id,
        MAX_PROBLEMS_SHOWN
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(CustomerImport {
        job,
        channel: i.key,
        format: ImportFormat::parse(&i.format).ok_or_else(|| AppError::internal(format!("format {}", i.format)))?,
        created: i.created,
        updated: i.updated,
        unchanged: i.unchanged,
        problem_count: i.problems,
        problems,
    })
}
