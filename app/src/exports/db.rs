//! Exports in the database: started as jobs, written by a worker that reads in one repeatable-read
//! transaction (the rows of one moment) while a second stores the file, committed whole with the job's
//! outcome; kept in chunks until they expire.

use super::csv::{BOM, Columns, ExportRow, Writer};
use super::{Export, IMMEDIATE_ROWS, KEPT_DAYS};
use crate::customers::list::CustomerQuery;
use crate::customers::list::db::Walk;
use crate::error::{AppError, AppResult, FieldError};
use crate::jobs::db::Report;
use crate::jobs::worker::{Outcome, Progress};
use crate::jobs::{JobKind, JobStatus};
use crate::sentiment::Sentiment;
use chrono::{DateTime, Duration, Utc};
use futures::{StreamExt, TryStreamExt};
use sqlx::{PgConnection, PgPool};
use tokio::sync::mpsc;

/// Customers read per statement while writing a file.
const BATCH: i64 = 5_000;
/// Ids of the list read per page while fixing an export's rows.
const WALK_BATCH: i64 = 10_000;
/// A chunk of the file is stored once it holds this many bytes.
const CHUNK_BYTES: usize = 1 << 20;

/// Reads a list URL query (`segment=vip&sort=-tov`, with or without its `?` or `/customers?`) as the list
/// reads it; a bad parameter is named as `query.<name>`. Paging parameters are dropped: an export holds
/// every row from the first.
pub fn read_query(text: &str) -> AppResult<CustomerQuery> {
    let text = text.trim();
    let text = text.strip_prefix("/customers").unwrap_or(text);
    let text = text.strip_prefix('?').unwrap_or(text);
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(text.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let query = CustomerQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .and_then(|query| query.check().map(|()| query))
        .map_err(|errors| {
            AppError::Invalid(
                errors
                    .into_iter()
                    .map(|e| FieldError { path: format!("query.{}", e.path), message: e.message })
                    .collect(),
            )
        })?;
    Ok(CustomerQuery { limit: None, after: None, before: None, ..query })
}

/// Queues an export of the list at `query` (see `read_query`), answering its id.
pub async fn start(
    conn: &mut PgConnection,
    workspace_id: i64,
    started_by: Option<i64>,
    query: &str,
    bom: bool,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let query = read_query(query)?;
    let id = crate::jobs::db::queue(conn, workspace_id, JobKind::Export, started_by, now).await?;
    sqlx::query!(
        "insert into export (workspace_id, job_id, query, bom) values ($1, $2, $3, $4)",
        workspace_id,
        id,
        query.query_string(),
        bom
    )
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// A transaction that reads the rows of one moment (and writes nothing).
async fn snapshot(pool: &PgPool) -> AppResult<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query!("set transaction isolation level repeatable read, read only").execute(&mut *tx).await?;
    Ok(tx)
}

/// The columns of the workspace's file.
async fn columns(conn: &mut PgConnection, workspace_id: i64) -> AppResult<Columns> {
    let workspace = sqlx::query!("select base_currency, time_zone from workspace where id = $1", workspace_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(Columns {
        currency: workspace.base_currency,
        time_zone: workspace.time_zone,
        fields: crate::custom_fields::fields(&mut *conn, workspace_id).await?,
    })
}

/// Writes the export the worker claimed: the list's ids first (the rows and their order), then the rows,
/// all read in one repeatable-read transaction (the list of one moment); the file is stored in chunks
/// beside the reading by a second transaction, which commits with the job done, or not at all
/// (cancelled, claimed by another worker, failed). The reads cannot write: the job's row, which the
/// progress reports update meanwhile, would be a concurrent update to a repeatable read.
pub async fn run(pool: &PgPool, clock: &crate::clock::Clock, progress: &mut Progress) -> AppResult<Outcome> {
    let job = progress.job;
    let started = std::time::Instant::now();
    // the rows of one moment, as `snapshot`; it writes the export's targets, and is rolled back
    let mut moment = pool.begin().await?;
    sqlx::query!("set transaction isolation level repeatable read").execute(&mut *moment).await?;
    // the statement reading a whole workspace's rows runs for seconds per million customers
    sqlx::query!("set local statement_timeout = '1h'").execute(&mut *moment).await?;
    let export =
        sqlx::query!("select query, bom from export where workspace_id = $1 and job_id = $2", job.workspace_id, job.id)
            .fetch_one(&mut *moment)
            .await?;
    let query = read_query(&export.query)?;
    let columns = columns(&mut moment, job.workspace_id).await?;
    let mut walk = Walk::start(&mut moment, job.workspace_id, &query, WALK_BATCH).await?;
    let mut ids: Vec<i64> = Vec::new();
    while let Some(page) = walk.next(&mut moment, job.workspace_id).await? {
        ids.extend(page);
        if let Some(outcome) = ended(progress.done(0).await?) {
            return Ok(outcome);
        }
    }
    progress.total(ids.len() as i64);
    let mut tx = pool.begin().await?;
    let mut file = File { workspace_id: job.workspace_id, job_id: job.id, chunks: 0, bytes: 0 };
    let (chunks, written) = mpsc::channel::<Vec<u8>>(2);
    let writing = write(&mut moment, job.id, job.workspace_id, &columns, &ids, export.bom, progress, chunks);
    let storing = async {
        let mut written = written;
        while let Some(chunk) = written.recv().await {
            file.store(&mut tx, chunk).await?;
        }
        Ok(())
    };
    let (outcome, ()) = tokio::try_join!(writing, storing)?;
    if let Some(outcome) = outcome {
        return Ok(outcome);
    }
    // a cancel asked while the last rows were written: no file
    if let Some(outcome) = ended(crate::jobs::db::standing(&mut tx, &job).await?) {
        return Ok(outcome);
    }
    let now = clock.now();
    sqlx::query!(
        "update export set bytes = $3, expires_at = $4 where workspace_id = $1 and job_id = $2",
        job.workspace_id,
        job.id,
        file.bytes,
        now + Duration::days(KEPT_DAYS)
    )
    .execute(&mut *tx)
    .await?;
    let rows = ids.len() as i64;
    if crate::jobs::db::finish(&mut tx, &job, rows, now).await? == Report::Lost {
        return Ok(Outcome::Lost);
    }
    crate::notifications::db::export_ready(&mut tx, job.workspace_id, job.id, rows, now).await?;
    tx.commit().await?;
    moment.rollback().await?;
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(job = job.id, rows, bytes = file.bytes, seconds, "export written");
    Ok(Outcome::Done)
}

/// Writes the file's text for the customers `ids`, in their order, handing it on a chunk of
/// `CHUNK_BYTES` at a time and reporting progress; answers how the job ended if it did before the text
/// was whole.
#[allow(clippy::too_many_arguments)]
async fn write(
    conn: &mut PgConnection,
    job_id: i64,
    workspace_id: i64,
    columns: &Columns,
    ids: &[i64],
    bom: bool,
    progress: &mut Progress,
    chunks: mpsc::Sender<Vec<u8>>,
) -> AppResult<Option<Outcome>> {
    let mut text = Text { writer: Writer::new(), pending: Vec::new(), chunks };
    if bom {
        text.pending.extend(BOM.as_bytes());
    }
    text.writer.write(&columns.header())?;
    let mut done = 0;
    if a_large_part(&mut *conn, workspace_id, ids.len()).await? {
        targets(&mut *conn, workspace_id, job_id, ids).await?;
        let mut rows = whole(&mut *conn, workspace_id, job_id);
        // the statement sorts its rows before it hands out the first: reports meanwhile
        let mut next = loop {
            tokio::select! {
                next = rows.next() => break next,
                () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {
                    if let Some(outcome) = ended(progress.done(0).await?) {
                        return Ok(Some(outcome));
                    }
                }
            }
        };
        while let Some(row) = next {
            text.writer.write(&columns.record(&row?.into()))?;
            done += 1;
            if done % 1_000 == 0 {
                if !text.hand_on(false).await? {
                    return Ok(None);
                }
                if let Some(outcome) = ended(progress.done(done).await?) {
                    return Ok(Some(outcome));
                }
            }
            next = rows.next().await;
        }
    } else {
        for batch in ids.chunks(BATCH as usize) {
            for row in rows(&mut *conn, workspace_id, batch).await? {
                text.writer.write(&columns.record(&row.into()))?;
            }
            done += batch.len() as i64;
            if !text.hand_on(false).await? {
                return Ok(None);
            }
            if let Some(outcome) = ended(progress.done(done).await?) {
                return Ok(Some(outcome));
            }
        }
    }
    text.hand_on(true).await?;
    Ok(None)
}

/// How the job ended, when a progress report says it did.
fn ended(report: Report) -> Option<Outcome> {
    match report {
        Report::GoOn => None,
        Report::Cancel => Some(Outcome::Canceled),
        Report::Lost => Some(Outcome::Lost),
    }
}

/// The file's text as it is written, handed on in chunks.
struct Text {
    writer: Writer,
    pending: Vec<u8>,
    chunks: mpsc::Sender<Vec<u8>>,
}

impl Text {
    /// Hands on what is written once it fills a chunk (or at all, `last`); false when it can no longer be
    /// (the storing ended, with its own error).
    async fn hand_on(&mut self, last: bool) -> AppResult<bool> {
        self.pending.extend(self.writer.take()?);
        if self.pending.len() < CHUNK_BYTES && !(last && !self.pending.is_empty()) {
            return Ok(true);
        }
        Ok(self.chunks.send(std::mem::take(&mut self.pending)).await.is_ok())
    }
}

/// The file of an export being stored, a chunk at a time.
struct File {
    workspace_id: i64,
    job_id: i64,
    chunks: i32,
    bytes: i64,
}

impl File {
    async fn store(&mut self, conn: &mut PgConnection, content: Vec<u8>) -> AppResult<()> {
        self.bytes += content.len() as i64;
        sqlx::query!(
            "insert into export_chunk (workspace_id, job_id, n, content) values ($1, $2, $3, $4)",
            self.workspace_id,
            self.job_id,
            self.chunks,
            content
        )
        .execute(conn)
        .await?;
        self.chunks += 1;
        Ok(())
    }
}

/// From how many customers an export may read its rows in one statement (`whole`).
const LARGE: usize = if cfg!(test) { 5 } else { 20_000 };

/// Whether `rows` customers are a large part of the workspace's: then reading every contact, segment and
/// custom field of the workspace in one statement, in the order of the customers' ids, costs less than
/// looking each customer's up. At 1,000,000 customers in the list's order: 8 s in one statement, 28 s in
/// batches (their customers are spread over every page of the tables, read in no order).
async fn a_large_part(conn: &mut PgConnection, workspace_id: i64, rows: usize) -> AppResult<bool> {
    if rows < LARGE {
        return Ok(false);
    }
    let customers = sqlx::query_scalar!(
        r#"select count(*) as "n!" from customer where workspace_id = $1 and merged_into_id is null"#,
        workspace_id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(rows as i64 * 4 >= customers)
}

/// One customer's row as the statements read it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Record {
    id: i64,
    channel: String,
    external_id: Option<String>,
    first_name: String,
    last_name: String,
    company: Option<String>,
    emails: Vec<String>,
    phones: Vec<String>,
    segments: Vec<String>,
    sentiment_score: Option<f64>,
    total_order_value: rust_decimal::Decimal,
    order_count: i32,
    average_order_value: Option<rust_decimal::Decimal>,
    latest_purchase: Option<String>,
    customer_since: Option<String>,
    registered: bool,
    registered_at: String,
    manager: Option<String>,
    vip_mark: bool,
    bad_mark: bool,
    email_subscription: String,
    field_ids: Vec<i64>,
    field_values: Vec<String>,
}

impl From<Record> for ExportRow {
    fn from(r: Record) -> ExportRow {
        ExportRow {
            id: r.id,
            channel: r.channel,
            external_id: r.external_id,
            first_name: r.first_name,
            last_name: r.last_name,
            company: r.company,
            emails: r.emails,
            phones: r.phones,
            segments: r.segments,
            sentiment: r.sentiment_score.map(Sentiment::from_score),
            total_order_value: r.total_order_value,
            orders: r.order_count,
            average_order_value: r.average_order_value,
            latest_purchase: r.latest_purchase,
            customer_since: r.customer_since,
            registered: r.registered,
            registered_at: r.registered_at,
            manager: r.manager,
            vip_mark: r.vip_mark,
            bad_mark: r.bad_mark,
            email_subscription: r.email_subscription,
            // each value has exactly the column of its field's kind (a check of the table), a choice its label
            fields: r.field_ids.into_iter().zip(r.field_values).collect(),
        }
    }
}

/// Writes the customers of an export, in their order, for `whole` to read (in the caller's transaction,
/// which is never to commit them).
pub(super) async fn targets(conn: &mut PgConnection, workspace_id: i64, job_id: i64, ids: &[i64]) -> AppResult<()> {
    const AT_ONCE: usize = 50_000;
    for (i, part) in ids.chunks(AT_ONCE).enumerate() {
        let first = (i * AT_ONCE) as i32;
        sqlx::query!(
            "insert into export_target (workspace_id, job_id, position, customer_id)
             select $1, $2, $3 + n::int - 1, id from unnest($4::bigint[]) with ordinality as x(id, n)",
            workspace_id,
            job_id,
            first,
            part
        )
        .execute(&mut *conn)
        .await?;
    }
    // what the planner needs to read them whole (it counts the transaction's own rows), and each table
    // read once: parallel workers would each aggregate every contact of the workspace again
    sqlx::query!("analyze export_target").execute(&mut *conn).await?;
    sqlx::query!("set local max_parallel_workers_per_gather = 0").execute(&mut *conn).await?;
    sqlx::query!("set local work_mem = '64MB'").execute(&mut *conn).await?;
    Ok(())
}

/// The rows of the export's customers (`targets`), in their order, from one statement that reads the
/// workspace's contacts, segments and custom fields whole, each table in the order of its customers
/// (`a_large_part`).
pub(super) fn whole(
    conn: &mut PgConnection,
    workspace_id: i64,
    job_id: i64,
) -> futures::stream::BoxStream<'_, AppResult<Record>> {
    sqlx::query_as!(
        Record,
        r#"
        select c.id, ch.key as channel, c.external_id, c.first_name, c.last_name, c.company,
               coalesce(e.emails, '{}') as "emails!", coalesce(p.phones, '{}') as "phones!",
               coalesce(s.segments, '{}') as "segments!",
               c.sentiment_score, c.total_order_value, c.order_count, c.average_order_value,
               to_char(c.latest_purchase_at at time zone w.time_zone, 'YYYY-MM-DD HH24:MI:SS') as latest_purchase,
               to_char(c.customer_since at time zone w.time_zone, 'YYYY-MM-DD HH24:MI:SS') as customer_since,
               c.registered,
               to_char(c.registered_at at time zone w.time_zone, 'YYYY-MM-DD HH24:MI:SS') as "registered_at!",
               coalesce(nullif(btrim(u.name), ''), u.email) as manager,
               c.vip_mark, c.bad_mark, c.email_subscription,
               coalesce(f.ids, '{}') as "field_ids!", coalesce(f.values_, '{}') as "field_values!"
          from export_target x
          join customer c on c.workspace_id = x.workspace_id and c.id = x.customer_id
          join workspace w on w.id = c.workspace_id
          join channel ch on ch.workspace_id = c.workspace_id and ch.id = c.channel_id
          left join user_account u on u.id = c.manager_id
          left join (select customer_id, array_agg(email order by position, id) as emails
                       from customer_email where workspace_id = $1 group by customer_id) e
            on e.customer_id = c.id
          left join (select customer_id, array_agg(raw order by position, id) as phones
                       from customer_phone where workspace_id = $1 group by customer_id) p
            on p.customer_id = c.id
          left join (select m.customer_id, array_agg(s.name order by s.id) as segments
                       from segment_membership m
                       join segment s on s.workspace_id = m.workspace_id and s.id = m.segment_id
                      where m.workspace_id = $1 group by m.customer_id) s
            on s.customer_id = c.id
          left join (select v.customer_id, array_agg(v.field_id order by v.field_id) as ids,
                            array_agg(coalesce(v.text_value, v.number_value::text, v.date_value::text,
                                               case v.boolean_value when true then 'yes' when false then 'no' end,
                                               o.label) order by v.field_id) as values_
                       from custom_field_value v
                       left join custom_field_choice o
                         on o.workspace_id = v.workspace_id and o.field_id = v.field_id and o.id = v.choice_id
                      where v.workspace_id = $1 group by v.customer_id) f
            on f.customer_id = c.id
         where x.workspace_id = $1 and x.job_id = $2
         order by x.position
        "#,
        workspace_id,
        job_id
    )
    .fetch(conn)
    .map_err(AppError::from)
    .boxed()
}

/// The rows of these customers, in the order of `ids`, each customer's contacts, segments and fields
/// looked up.
pub(super) async fn rows(conn: &mut PgConnection, workspace_id: i64, ids: &[i64]) -> AppResult<Vec<Record>> {
    Ok(sqlx::query_as!(
        Record,
        r#"
        select c.id, ch.key as channel, c.external_id, c.first_name, c.last_name, c.company,
               array(select e.email from customer_email e
                      where e.workspace_id = c.workspace_id and e.customer_id = c.id
                      order by e.position, e.id) as "emails!",
               array(select p.raw from customer_phone p
                      where p.workspace_id = c.workspace_id and p.customer_id = c.id
                      order by p.position, p.id) as "phones!",
               array(select s.name from segment_membership m
                       join segment s on s.workspace_id = m.workspace_id and s.id = m.segment_id
                      where m.workspace_id = c.workspace_id and m.customer_id = c.id
                      order by s.id) as "segments!",
               c.sentiment_score, c.total_order_value, c.order_count, c.average_order_value,
               to_char(c.latest_purchase_at at time zone w.time_zone, 'YYYY-MM-DD HH24:MI:SS') as latest_purchase,
               to_char(c.customer_since at time zone w.time_zone, 'YYYY-MM-DD HH24:MI:SS') as customer_since,
               c.registered,
               to_char(c.registered_at at time zone w.time_zone, 'YYYY-MM-DD HH24:MI:SS') as "registered_at!",
               coalesce(nullif(btrim(u.name), ''), u.email) as manager,
               c.vip_mark, c.bad_mark, c.email_subscription,
               array(select v.field_id from custom_field_value v
                      where v.workspace_id = c.workspace_id and v.customer_id = c.id order by v.field_id)
                 as "field_ids!",
               array(select coalesce(v.text_value, v.number_value::text, v.date_value::text,
                                     case v.boolean_value when true then 'yes' when false then 'no' end,
                                     (select f.label from custom_field_choice f
                                       where f.workspace_id = v.workspace_id and f.field_id = v.field_id
                                         and f.id = v.choice_id))
                       from custom_field_value v
                      where v.workspace_id = c.workspace_id and v.customer_id = c.id order by v.field_id)
                 as "field_values!"
          from unnest($2::bigint[]) with ordinality as x(id, n)
          join customer c on c.workspace_id = $1 and c.id = x.id
          join workspace w on w.id = c.workspace_id
          join channel ch on ch.workspace_id = c.workspace_id and ch.id = c.channel_id
          left join user_account u on u.id = c.manager_id
         order by x.n
        "#,
        workspace_id,
        ids
    )
    .fetch_all(conn)
    .await?)
}

/// The whole file of the list at `query` when it holds at most `IMMEDIATE_ROWS` customers (the download
/// at once); `Conflict` when more match.
pub async fn immediate(pool: &PgPool, workspace_id: i64, query: &CustomerQuery, bom: bool) -> AppResult<Vec<u8>> {
    let mut tx = snapshot(pool).await?;
    let mut walk = Walk::start(&mut tx, workspace_id, query, IMMEDIATE_ROWS + 1).await?;
    let ids = walk.next(&mut tx, workspace_id).await?.unwrap_or_default();
    if ids.len() as i64 > IMMEDIATE_ROWS {
        return Err(AppError::Conflict(format!(
            "more than {} customers match: start an export, which runs in the background",
            crate::ui::format::count(IMMEDIATE_ROWS)
        )));
    }
    let columns = columns(&mut tx, workspace_id).await?;
    let mut writer = Writer::new();
    writer.write(&columns.header())?;
    for row in rows(&mut tx, workspace_id, &ids).await? {
        writer.write(&columns.record(&row.into()))?;
    }
    tx.commit().await?;
    let mut file = if bom { BOM.as_bytes().to_vec() } else { Vec::new() };
    file.extend(writer.take()?);
    Ok(file)
}

/// The workspace's export `id`.
pub async fn export(conn: &mut PgConnection, workspace_id: i64, id: i64) -> AppResult<Export> {
    let job = crate::jobs::db::job(&mut *conn, workspace_id, JobKind::Export, id).await?;
    let e = sqlx::query!(
        "select query, bytes, expires_at, expired from export where workspace_id = $1 and job_id = $2",
        workspace_id,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    let filter = in_words(&mut *conn, workspace_id, &e.query).await?;
    Ok(Export { job, query: e.query, filter, bytes: e.bytes, expires_at: e.expires_at, expired: e.expired })
}

/// An export's list query in words, with the workspace's currency and its manager's email.
async fn in_words(conn: &mut PgConnection, workspace_id: i64, query: &str) -> AppResult<String> {
    // stored when the export started, so it was read then; the raw text is the fallback
    let Ok(query) = read_query(query) else { return Ok(query.to_string()) };
    let currency = crate::accounts::db::workspace_currency(&mut *conn, workspace_id).await?;
    let manager = match query.manager {
        Some(id) => sqlx::query_scalar!(
            "select u.email from membership m join user_account u on u.id = m.user_id
              where m.workspace_id = $1 and m.user_id = $2",
            workspace_id,
            id
        )
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or_else(|| format!("member {id}")),
        None => String::new(),
    };
    Ok(query.in_words(|_| manager.clone(), &currency))
}

/// How many exports the exports page lists.
const LISTED: i64 = 200;

/// The workspace's latest exports, newest first.
pub async fn exports(pool: &PgPool, workspace_id: i64) -> AppResult<Vec<Export>> {
    let mut conn = pool.acquire().await?;
    let ids = sqlx::query_scalar!(
        "select id from job where workspace_id = $1 and kind = 'export' order by id desc limit $2",
        workspace_id,
        LISTED
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut exports = Vec::with_capacity(ids.len());
    for id in ids {
        exports.push(export(&mut conn, workspace_id, id).await?);
    }
    Ok(exports)
}

/// Why an export cannot be downloaded, in words for the seller; none when it can.
pub fn not_downloadable(export: &Export) -> Option<AppError> {
    if export.expired {
        let when = export.expires_at.map(|t| t.format(" on %Y-%m-%d").to_string()).unwrap_or_default();
        return Some(AppError::Gone(format!(
            "this export's file was deleted{when}, {KEPT_DAYS} days after it was written: export the list again"
        )));
    }
    match export.job.status {
        JobStatus::Done => None,
        JobStatus::Queued | JobStatus::Running => {
            Some(AppError::Conflict("this export is not finished yet: its file is not ready".into()))
        }
        JobStatus::Failed => Some(AppError::Conflict("this export failed: there is no file".into())),
        JobStatus::Canceled => Some(AppError::Conflict("this export was canceled: there is no file".into())),
    }
}

/// The `n`th chunk of the export's file; none past the last.
pub async fn chunk(pool: &PgPool, workspace_id: i64, id: i64, n: i32) -> AppResult<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar!(
        "select content from export_chunk where workspace_id = $1 and job_id = $2 and n = $3",
        workspace_id,
        id,
        n
    )
    .fetch_optional(pool)
    .await?)
}

/// Deletes the files of exports whose time is up (the exports stay, marked expired); answers how many.
pub async fn expire(pool: &PgPool, now: DateTime<Utc>) -> AppResult<u64> {
    let mut tx = pool.begin().await?;
    let expired = sqlx::query!(
        "update export set expired = true where not expired and expires_at <= $1 returning workspace_id, job_id",
        now
    )
    .fetch_all(&mut *tx)
    .await?;
    let (workspaces, jobs): (Vec<i64>, Vec<i64>) = expired.iter().map(|e| (e.workspace_id, e.job_id)).unzip();
    sqlx::query!(
        "delete from export_chunk c using unnest($1::bigint[], $2::bigint[]) as x(workspace_id, job_id)
          where c.workspace_id = x.workspace_id and c.job_id = x.job_id",
        &workspaces,
        &jobs
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(expired.len() as u64)
}
