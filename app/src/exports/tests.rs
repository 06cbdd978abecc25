//! Exports and the jobs that write them, against PostgreSQL: the list's rows in its order, frozen at the
//! start; claims under concurrency; a job orphaned by a stopped server is claimed again and written once;
//! cancel; expiry.

use super::db;
use crate::accounts::db::create_workspace;
use crate::clock::Clock;
use crate::customers::list::CustomerQuery;
use crate::error::AppError;
use crate::jobs::db::{Claimed, Report, claim};
use crate::jobs::worker::{Outcome, Progress};
use crate::jobs::{JobKind, JobStatus};
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

fn now() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

async fn customer(pool: &PgPool, workspace_id: i64, first: &str, last: &str, total: i64) -> i64 {
    sqlx::query_scalar!(
        "insert into customer (workspace_id, channel_id, registered, first_name, last_name, total_order_value,
                               order_count, average_order_value, customer_since, latest_purchase_at)
         select $1, id, true, $2, $3, $4, 1, $4, $5, $5 from channel where workspace_id = $1 and key = 'manual'
         returning id",
        workspace_id,
        first,
        last,
        rust_decimal::Decimal::from(total),
        now() - Duration::days(total)
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Starts an export of `query` as a member would.
async fn start(pool: &PgPool, workspace_id: i64, query: &str, bom: bool) -> i64 {
    let mut tx = pool.begin().await.unwrap();
    let id = db::start(&mut tx, workspace_id, None, query, bom, now()).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn run(pool: &PgPool, job: Claimed) -> Outcome {
    db::run(pool, &Clock::fixed(now()), &mut Progress::new(pool.clone(), job)).await.unwrap()
}

/// The file of a finished export, as downloaded.
async fn file(pool: &PgPool, workspace_id: i64, id: i64) -> String {
    let mut bytes = Vec::new();
    let mut n = 0;
    while let Some(chunk) = db::chunk(pool, workspace_id, id, n).await.unwrap() {
        bytes.extend(chunk);
        n += 1;
    }
    String::from_utf8(bytes).unwrap()
}

fn records(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes()).records().map(Result::unwrap).collect()
}

async fn status(pool: &PgPool, workspace_id: i64, id: i64) -> JobStatus {
    db::export(&mut pool.acquire().await.unwrap(), workspace_id, id).await.unwrap().job.status
}

#[sqlx::test(migrations = "../migrations")]
async fn an_export_holds_the_lists_rows_in_its_order(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "EUR", "Europe/Berlin").await.unwrap().id;
    let other = create_workspace(&pool, "b", "B", "USD", "UTC").await.unwrap().id;
    for (i, last) in ["Young", "Adams", "Nash", "Baker"].iter().enumerate() {
        customer(&pool, ws, "Ann", last, 10 * (i as i64 + 1)).await;
    }
    customer(&pool, other, "Ann", "Other", 5).await;
    let formula = customer(&pool, ws, "=HYPERLINK(\"http://evil\")", "Zed", 1).await;
    sqlx::query!("insert into customer_email (workspace_id, customer_id, email) values ($1, $2, 'z@example.com'), ($1, $2, 'zed@example.com')", ws, formula)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query!("insert into customer_phone (workspace_id, customer_id, raw, e164) values ($1, $2, '+49 30 1234567', '+49301234567')", ws, formula)
        .execute(&pool)
        .await
        .unwrap();

    let id = start(&pool, ws, "sort=name&tov_min=5", true).await;
    assert_eq!(status(&pool, ws, id).await, JobStatus::Queued);
    let job = claim(&pool).await.unwrap().expect("a job waits");
    assert_eq!((job.id, job.kind, job.claim), (id, JobKind::Export, 1));
    assert_eq!(run(&pool, job).await, Outcome::Done);

    let export = db::export(&mut pool.acquire().await.unwrap(), ws, id).await.unwrap();
    assert_eq!((export.job.status, export.job.rows_total, export.job.rows_done), (JobStatus::Done, Some(4), 4));
    assert_eq!(export.expires_at, Some(now() + Duration::days(7)));
    let text = file(&pool, ws, id).await;
    assert!(text.starts_with('\u{feff}'), "the byte-order mark asked for");
    assert_eq!(export.bytes, text.len() as i64);
    let rows = records(&text);
    // the list's own rows for the same URL, in its order
    let query = CustomerQuery::from_pairs([("sort", "name"), ("tov_min", "5")]).unwrap();
    let listed = crate::customers::list::db::list_customers(&pool, ws, &query).await.unwrap();
    let ids: Vec<String> = listed.items.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(rows.iter().map(|r| r[0].to_string()).collect::<Vec<_>>(), ids);
    assert_eq!(rows.iter().map(|r| r[4].to_string()).collect::<Vec<_>>(), ["Adams", "Baker", "Nash", "Young"]);
    let header = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes()).headers().unwrap().clone();
    assert_eq!(&header[10], "Total order value (EUR)");
    assert_eq!(&header[13], "Latest purchase (Europe/Berlin)");

    // everyone, in the default order: the customer with a formula for a name, both emails, the phone
    let everyone = start(&pool, ws, "", false).await;
    assert_eq!(run(&pool, claim(&pool).await.unwrap().unwrap()).await, Outcome::Done);
    let rows = records(&file(&pool, ws, everyone).await);
    assert_eq!(rows.len(), 5, "the other workspace's customer is not in it");
    let zed = rows.iter().find(|r| r[0] == formula.to_string()).unwrap();
    assert_eq!(&zed[3], "'=HYPERLINK(\"http://evil\")", "a formula is written as text");
    assert_eq!(&zed[6], "z@example.com; zed@example.com");
    assert_eq!(&zed[7], "'+49 30 1234567", "a phone starting with + is text too");
    let kept = sqlx::query_scalar!(r#"select count(*) as "n!" from export_target"#).fetch_one(&pool).await.unwrap();
    assert_eq!(kept, 0, "the customers of an export read in one statement are never kept");
}

/// Rows written after an export started are not in it, and changes made meanwhile do not show: the file
/// is the list of one moment.
#[sqlx::test(migrations = "../migrations")]
async fn an_exports_rows_are_frozen_at_its_start(options: PgPoolOptions, connect: PgConnectOptions) {
    // the export's connections at once (jobs::worker::CONNECTIONS_PER_JOB), this test's lock and its
    // writes meanwhile: more than a test's pool holds by default
    let pool =
        options.max_connections(crate::jobs::worker::CONNECTIONS_PER_JOB + 3).connect_with(connect).await.unwrap();
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let ann = customer(&pool, ws, "Ann", "Adams", 10).await;
    customer(&pool, ws, "Bob", "Baker", 20).await;
    let id = start(&pool, ws, "sort=name", false).await;
    let job = claim(&pool).await.unwrap().unwrap();
    // the job waits on this lock when it reads the file's columns (the custom fields): its moment is
    // taken by then, its rows are read after the changes below, and these must not show in the file
    let mut lock = pool.begin().await.unwrap();
    sqlx::query!("lock table custom_field in access exclusive mode").execute(&mut *lock).await.unwrap();
    let running = tokio::spawn(run_owned(pool.clone(), job));
    while sqlx::query_scalar!(r#"select count(*) as "n!" from pg_locks where not granted"#)
        .fetch_one(&pool)
        .await
        .unwrap()
        == 0
    {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    customer(&pool, ws, "Cara", "Able", 30).await;
    sqlx::query!("update customer set last_name = 'Zimmer' where workspace_id = $1 and id = $2", ws, ann)
        .execute(&pool)
        .await
        .unwrap();
    lock.rollback().await.unwrap();
    assert_eq!(running.await.unwrap(), Outcome::Done);
    let rows = records(&file(&pool, ws, id).await);
    assert_eq!(rows.iter().map(|r| r[4].to_string()).collect::<Vec<_>>(), ["Adams", "Baker"]);
}

async fn run_owned(pool: PgPool, job: Claimed) -> Outcome {
    run(&pool, job).await
}

#[sqlx::test(migrations = "../migrations")]
async fn two_workers_never_take_one_job(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    let mut queued = Vec::new();
    for _ in 0..40 {
        queued.push(start(&pool, ws, "", false).await);
    }
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut taken = Vec::new();
                while let Some(job) = claim(&pool).await.unwrap() {
                    taken.push(job.id);
                }
                taken
            })
        })
        .collect();
    let mut taken = Vec::new();
    for worker in workers {
        taken.extend(worker.await.unwrap());
    }
    taken.sort();
    assert_eq!(taken, queued, "every job taken, and by one worker only");
    let claims =
        sqlx::query_scalar!("select claims from job where workspace_id = $1", ws).fetch_all(&pool).await.unwrap();
    assert!(claims.iter().all(|c| *c == 1));
}

/// A job whose worker went silent (its server stopped) is claimed again and written once; the first
/// worker, should it come back, writes nothing.
#[sqlx::test(migrations = "../migrations")]
async fn a_job_orphaned_by_a_stopped_server_is_done_once(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    customer(&pool, ws, "Ann", "Adams", 10).await;
    let id = start(&pool, ws, "", false).await;
    let first = claim(&pool).await.unwrap().unwrap();
    assert_eq!(claim(&pool).await.unwrap(), None, "running, and alive: nobody else takes it");
    // the server stopped: no sign of life for a minute
    sqlx::query!("update job set heartbeat_at = now() - interval '1 minute' where id = $1", id)
        .execute(&pool)
        .await
        .unwrap();
    let second = claim(&pool).await.unwrap().expect("claimed again");
    assert_eq!((second.id, second.claim), (id, 2));
    assert_eq!(crate::jobs::db::report(&pool, &first, 1, None).await.unwrap(), Report::Lost);
    assert_eq!(run(&pool, first).await, Outcome::Lost, "the first worker, back, keeps nothing");
    assert_eq!(run(&pool, second).await, Outcome::Done);
    let chunks = sqlx::query_scalar!(r#"select count(*) as "n!" from export_chunk where job_id = $1"#, id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(chunks, 1, "one file");
    assert_eq!(records(&file(&pool, ws, id).await).len(), 1);
    assert_eq!(status(&pool, ws, id).await, JobStatus::Done);
}

#[sqlx::test(migrations = "../migrations")]
async fn cancel_stops_a_waiting_or_running_export_and_keeps_nothing(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    customer(&pool, ws, "Ann", "Adams", 10).await;
    let waiting = start(&pool, ws, "", false).await;
    crate::jobs::db::cancel(&pool, ws, JobKind::Export, waiting, now()).await.unwrap();
    assert_eq!(status(&pool, ws, waiting).await, JobStatus::Canceled);
    assert_eq!(claim(&pool).await.unwrap(), None, "a canceled job is not claimed");

    let running = start(&pool, ws, "", false).await;
    let job = claim(&pool).await.unwrap().unwrap();
    crate::jobs::db::cancel(&pool, ws, JobKind::Export, running, now()).await.unwrap();
    assert_eq!(status(&pool, ws, running).await, JobStatus::Running, "until its worker's next report");
    assert_eq!(run(&pool, job).await, Outcome::Canceled);
    crate::jobs::db::end(&pool, &job, JobStatus::Canceled, None, now()).await.unwrap();
    assert_eq!(status(&pool, ws, running).await, JobStatus::Canceled);
    let chunks = sqlx::query_scalar!(r#"select count(*) as "n!" from export_chunk where job_id = $1"#, running)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(chunks, 0);

    let done = start(&pool, ws, "", false).await;
    run(&pool, claim(&pool).await.unwrap().unwrap()).await;
    let refused = crate::jobs::db::cancel(&pool, ws, JobKind::Export, done, now()).await.unwrap_err();
    assert!(matches!(refused, AppError::Conflict(_)), "{refused:?}");
    let other = create_workspace(&pool, "b", "B", "USD", "UTC").await.unwrap().id;
    assert_eq!(crate::jobs::db::cancel(&pool, other, JobKind::Export, done, now()).await, Err(AppError::NotFound));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cancel_asked_as_the_file_is_stored_either_ends_it_or_finds_it_finished(pool: PgPool) {
    use crate::jobs::db::{finish, standing};
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    customer(&pool, ws, "Ann", "Adams", 10).await;
    // asked before the transaction storing the file looks: the export ends canceled
    let first = start(&pool, ws, "", false).await;
    let job = claim(&pool).await.unwrap().unwrap();
    crate::jobs::db::cancel(&pool, ws, JobKind::Export, first, now()).await.unwrap();
    assert_eq!(standing(&mut pool.begin().await.unwrap(), &job).await.unwrap(), Report::Cancel);
    let stale = Claimed { claim: job.claim + 1, ..job };
    assert_eq!(standing(&mut pool.begin().await.unwrap(), &stale).await.unwrap(), Report::Lost);
    crate::jobs::db::end(&pool, &job, JobStatus::Canceled, None, now()).await.unwrap();

    // asked after it looked: the cancel waits for the file, then is refused
    let second = start(&pool, ws, "", false).await;
    let job = claim(&pool).await.unwrap().unwrap();
    let mut tx = pool.begin().await.unwrap();
    assert_eq!(standing(&mut tx, &job).await.unwrap(), Report::GoOn);
    let asked = tokio::spawn({
        let pool = pool.clone();
        async move { crate::jobs::db::cancel(&pool, ws, JobKind::Export, second, now()).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!asked.is_finished(), "the cancel waits for the transaction storing the file");
    assert_eq!(finish(&mut tx, &job, 1, now()).await.unwrap(), Report::GoOn);
    tx.commit().await.unwrap();
    let refused = asked.await.unwrap().unwrap_err();
    assert!(matches!(refused, AppError::Conflict(_)), "{refused:?}");
    assert_eq!(status(&pool, ws, second).await, JobStatus::Done);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_file_is_kept_seven_days_then_gone_with_its_record_kept(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    customer(&pool, ws, "Ann", "Adams", 10).await;
    let id = start(&pool, ws, "", false).await;
    run(&pool, claim(&pool).await.unwrap().unwrap()).await;
    assert_eq!(db::expire(&pool, now() + Duration::days(7) - Duration::seconds(1)).await.unwrap(), 0);
    assert_eq!(db::expire(&pool, now() + Duration::days(7)).await.unwrap(), 1);
    let export = db::export(&mut pool.acquire().await.unwrap(), ws, id).await.unwrap();
    assert!(export.expired && !export.downloadable());
    assert!(matches!(db::not_downloadable(&export), Some(AppError::Gone(_))));
    assert_eq!(db::chunk(&pool, ws, id, 0).await.unwrap(), None, "the file is deleted");
    assert_eq!(db::exports(&pool, ws).await.unwrap().len(), 1, "the export is still listed");
}

#[sqlx::test(migrations = "../migrations")]
async fn up_to_a_thousand_rows_download_at_once(pool: PgPool) {
    let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
    customer(&pool, ws, "Ann", "Adams", 10).await;
    customer(&pool, ws, "Bob", "Baker", 20).await;
    let query = CustomerQuery::from_pairs([("sort", "-tov")]).unwrap();
    let text = String::from_utf8(db::immediate(&pool, ws, &query, false).await.unwrap()).unwrap();
    let rows = records(&text);
    assert_eq!(rows.iter().map(|r| r[3].to_string()).collect::<Vec<_>>(), ["Bob", "Ann"]);
    sqlx::query!(
        "insert into customer (workspace_id, channel_id, registered, first_name)
         select $1, c.id, false, 'Guest ' || n from channel c, generate_series(1, 999) n
          where c.workspace_id = $1 and c.key = 'manual'",
        ws
    )
    .execute(&pool)
    .await
    .unwrap();
    let refused = db::immediate(&pool, ws, &query, false).await.unwrap_err();
    assert!(matches!(&refused, AppError::Conflict(m) if m.contains("more than 1,000")), "{refused:?}");
}

#[test]
fn a_bad_query_is_named_field_by_field() {
    let Err(AppError::Invalid(fields)) = db::read_query("tov_min=abc&sort=-tov") else { panic!("refused") };
    assert_eq!(fields.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["query.tov_min"]);
    let query = db::read_query("/customers?segment=vip&sort=-tov&after=xyz&limit=10").unwrap();
    assert_eq!((query.after, query.limit), (None, None), "an export holds every row from the first");
    assert!(db::read_query("?q=ann").is_ok());
}

/// An export of a large part of a workspace reads its rows in one statement, a smaller one customer by
/// customer: both read the same rows, contacts, segments and custom fields included, in the order asked.
#[sqlx::test(migrations = "../migrations")]
async fn rows_read_whole_or_customer_by_customer_agree(pool: PgPool) {
    use futures::TryStreamExt;
    let ws = create_workspace(&pool, "a", "A", "EUR", "Europe/Berlin").await.unwrap().id;
    let mut ids = Vec::new();
    for (i, last) in ["Young", "Adams", "Nash", "Baker", "Cole", "Diaz"].iter().enumerate() {
        ids.push(customer(&pool, ws, "Ann", last, 10 * (i as i64 + 1)).await);
    }
    sqlx::query!(
        "insert into customer_email (workspace_id, customer_id, email, position)
         values ($1, $2, 'second@example.com', 1), ($1, $2, 'first@example.com', 0), ($1, $3, 'c@example.com', 0)",
        ws,
        ids[0],
        ids[2]
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query!(
        "insert into customer_phone (workspace_id, customer_id, raw, e164) values ($1, $2, '030 1234567', null)",
        ws,
        ids[1]
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query!(
        "with s as (insert into segment (workspace_id, key, name) values ($1, 'wholesale', 'Wholesale') returning id)
         insert into segment_membership (workspace_id, segment_id, customer_id, joined_at)
         select $1, s.id, c, now() from s, unnest($2::bigint[]) as c
         union all
         select $1, v.id, $3, now() from segment v where v.workspace_id = $1 and v.key = 'vip'",
        ws,
        &[ids[0], ids[3]],
        ids[3]
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query!(
        "with size as (insert into custom_field (workspace_id, key, label, kind, position, created_at, updated_at)
                       values ($1, 'size', 'Size', 'choice', 0, now(), now()) returning id),
              choice as (insert into custom_field_choice (workspace_id, field_id, label, position, created_at, updated_at)
                         select $1, id, 'Large', 0, now(), now() from size returning id, field_id),
              note as (insert into custom_field (workspace_id, key, label, kind, position, created_at, updated_at)
                       values ($1, 'wholesaler', 'Wholesaler', 'boolean', 1, now(), now()) returning id)
         insert into custom_field_value (workspace_id, customer_id, field_id, kind, choice_id, boolean_value,
                                         created_at, updated_at)
         select $1, $2::bigint, field_id, 'choice', id, null::boolean, now(), now() from choice
         union all select $1, $2, id, 'boolean', null, true, now(), now() from note
         union all select $1, $3::bigint, id, 'boolean', null, false, now(), now() from note",
        ws,
        ids[3],
        ids[4]
    )
    .execute(&pool)
    .await
    .unwrap();

    let order = [ids[3], ids[0], ids[5], ids[1], ids[4], ids[2]];
    let mut conn = pool.acquire().await.unwrap();
    let one_by_one = db::rows(&mut conn, ws, &order).await.unwrap();
    db::targets(&mut conn, ws, 1, &order).await.unwrap();
    let whole: Vec<db::Record> = db::whole(&mut conn, ws, 1).try_collect().await.unwrap();
    assert_eq!(whole, one_by_one);
    let rows: Vec<super::csv::ExportRow> = whole.into_iter().map(Into::into).collect();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), order);
    assert_eq!(rows[1].emails, ["first@example.com", "second@example.com"], "emails in their order");
    assert_eq!(rows[3].phones, ["030 1234567"]);
    assert_eq!(rows[0].segments, ["VIP", "Wholesale"]);
    let mut fields: Vec<&String> = rows[0].fields.values().collect();
    fields.sort();
    assert_eq!(fields, ["Large", "yes"], "a choice by its label, a yes/no field in words");
    assert_eq!(rows[4].fields.values().collect::<Vec<_>>(), ["no"]);
    assert!(rows[2].emails.is_empty() && rows[2].segments.is_empty() && rows[2].fields.is_empty());
}
