//! The job workers of one server process: up to `workers` jobs at once, woken by `notify job` when a job is
//! queued or one of theirs ends, and every few seconds in any case (a notification lost while the
//! listener reconnected, a job orphaned by a stopped server).

use super::JobKind;
use super::JobStatus;
use super::db::{self, Claimed, Report};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The most connections one job holds at once: an export reads on one, stores its file on another and
/// reports progress on a third.
pub const CONNECTIONS_PER_JOB: u32 = 3;

/// How often workers look for jobs without being woken.
const POLL: Duration = Duration::from_secs(5);

/// How a job's work ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done and committed with its outcome.
    Done,
    /// A member asked to cancel it: nothing of it was kept.
    Canceled,
    /// Another worker claimed it: nothing of it was kept.
    Lost,
}

/// Progress reports of one job: written at most once a second (and whenever asked to be), each a sign
/// of life that answers whether to go on.
pub struct Progress {
    pool: PgPool,
    pub job: Claimed,
    last: Option<Instant>,
    total: Option<i64>,
}

impl Progress {
    pub fn new(pool: PgPool, job: Claimed) -> Progress {
        Progress { pool, job, last: None, total: None }
    }

    /// How many rows the job works on, once known (written with the next report, which is not held back).
    pub fn total(&mut self, total: i64) {
        self.total = Some(total);
        self.last = None;
    }

    /// `done` rows so far: written when a second has passed since the last report.
    pub async fn done(&mut self, done: i64) -> AppResult<Report> {
        if self.last.is_some_and(|last| last.elapsed() < Duration::from_secs(1)) {
            return Ok(Report::GoOn);
        }
        self.last = Some(Instant::now());
        db::report(&self.pool, &self.job, done, self.total).await
    }
}

/// Runs jobs until the process ends.
pub async fn run(pool: PgPool, clock: Clock, workers: usize) {
    let mut running: JoinSet<()> = JoinSet::new();
    let mut listener = None;
    loop {
        if listener.is_none() {
            listener = listen(&pool).await;
        }
        while running.len() < workers {
            match db::claim(&pool).await {
                Ok(Some(job)) => {
                    running.spawn(work(pool.clone(), clock, job));
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(%error, "could not look for jobs; trying again shortly");
                    break;
                }
            }
        }
        let listening = tokio::select! {
            _ = tokio::time::sleep(POLL) => true,
            Some(_) = running.join_next(), if !running.is_empty() => true,
            woken = wait(&mut listener) => woken,
        };
        if !listening {
            // the listener lost its connection: a new one at the next turn
            listener = None;
        }
    }
}

async fn listen(pool: &PgPool) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(pool).await.ok()?;
    listener.listen("job").await.ok()?;
    Some(listener)
}

/// Waits for a notification (forever when there is no listener: the poll wakes the workers); false when
/// the listener failed.
async fn wait(listener: &mut Option<PgListener>) -> bool {
    match listener {
        Some(listener) => listener.recv().await.is_ok(),
        None => std::future::pending().await,
    }
}

/// One job from its claim to its end (by a worker, or by a request that runs a small job before answering); a failure is written as the job's, except when the database is
/// out of reach (the job is then claimed again once its silence shows it orphaned).
pub async fn work(pool: PgPool, clock: Clock, job: Claimed) {
    let mut progress = Progress::new(pool.clone(), job);
    let outcome = match job.kind {
        JobKind::Export => crate::exports::db::run(&pool, &clock, &mut progress).await,
        JobKind::Bulk => crate::bulk::db::run(&pool, &clock, &mut progress).await,
        JobKind::Import => crate::imports::db::run(&pool, &clock, &mut progress).await,
    };
    let ended = match outcome {
        Ok(Outcome::Done | Outcome::Lost) => Ok(()),
        Ok(Outcome::Canceled) => db::end(&pool, &job, JobStatus::Canceled, None, clock.now()).await,
        Err(AppError::Unavailable) => {
            tracing::warn!(job = job.id, "the database went away during a job; it is claimed again later");
            Ok(())
        }
        Err(error) => {
            tracing::warn!(job = job.id, %error, "a job failed");
            let message = match &error {
                AppError::Internal => "something went wrong on our side; please start it again".to_string(),
                other => other.to_string(),
            };
            db::end(&pool, &job, JobStatus::Failed, Some(&message), clock.now()).await
        }
    };
    if let Err(error) = ended {
        tracing::warn!(job = job.id, %error, "could not write how a job ended; it is claimed again later");
    }
}
