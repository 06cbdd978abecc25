//! The one error type of the app: server functions, database functions and the API all return it.

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// One bad field of a request: where it is (a JSON path or a form field name) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

impl FieldError {
    /// Every error as "path: message", in one sentence for a person (a page, a delivery's failure).
    pub fn describe(errors: &[FieldError]) -> String {
        errors.iter().map(|e| format!("{}: {}", e.path, e.message)).collect::<Vec<_>>().join("; ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("please sign in")]
    Unauthenticated,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("{0}")]
    BadRequest(String),
    #[error("some fields are not valid")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    /// The request is larger than the server takes (a body, a file).
    #[error("{0}")]
    TooLarge(String),
    /// What was asked for existed and was deleted on purpose (an expired export's file).
    #[error("{0}")]
    Gone(String),
    /// The database refused a record for a rule the checks before it missed (a check constraint, a value
    /// out of range): this record is bad, another may be fine. Details are logged.
    #[error("the record was refused: {0}")]
    Refused(String),
    /// The database cannot be reached (restarting, network, no free connection): try again shortly.
    #[error("the database is not reachable right now; please try again shortly")]
    Unavailable,
    /// A statement ran into its time limit.
    #[error("this took longer than the server allows; narrow it down or try again")]
    TooSlow,
    /// Details are logged on the server (`AppError::internal`), never shown.
    #[error("something went wrong on our side; please try again")]
    Internal,
    /// A concurrent writer won a race (a named upsert key, a deadlock, a serialization failure): running
    /// the same work again will succeed.
    #[error("a concurrent change got in the way; please try again")]
    Retry,
    /// The request never reached the server function (network, encoding).
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::BadRequest(_) => 400,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) | AppError::Retry => 409,
            AppError::TooLarge(_) => 413,
            AppError::Gone(_) => 410,
            AppError::Refused(_) => 422,
            AppError::Unavailable | AppError::TooSlow => 503,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// `status` as axum's type, for the routes that answer outside server functions.
    #[cfg(feature = "ssr")]
    pub fn http_status(&self) -> axum::http::StatusCode {
        axum::http::StatusCode::from_u16(self.status()).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Seconds to wait before trying again, for the answers that say "try again shortly" (`Retry-After`).
    pub fn retry_after(&self) -> Option<u32> {
        matches!(self, AppError::Unavailable | AppError::TooSlow).then_some(5)
    }

    /// An error of ours, not of the request: its cause is logged here, once, and never shown.
    #[track_caller]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let at = std::panic::Location::caller();
        #[cfg(feature = "ssr")]
        tracing::error!(%cause, %at, "internal error");
        #[cfg(not(feature = "ssr"))]
        let _ = (cause, at);
        AppError::Internal
    }

    /// Sets the HTTP status of the response under way (a server function's) to this error's, and
    /// returns the error: server functions answer 401/403/404/422 rather than a blanket 500.
    #[cfg(feature = "ssr")]
    pub fn respond(self) -> Self {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(self.http_status());
            if let Some(seconds) = self.retry_after() {
                response.insert_header(axum::http::header::RETRY_AFTER, seconds.into());
            }
        }
        self
    }

    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError { path: path.into(), message: message.into() }])
    }

    /// A page cursor (`after`, `before`) that cannot be used: damaged, forged or made for another view.
    pub fn stale_page_link(parameter: &str) -> Self {
        AppError::invalid(parameter, "this page link is out of date or damaged: start again from the first page")
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::codec::TextJsonEncoding;

    /// On the server, arguments that cannot be read (malformed, missing, or a body over the limit) are
    /// the request's fault: 400 or 413 saying what is wrong, never a 500. Anything else, and every error
    /// in the browser, is the transport's.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            let refused = match &value {
                ServerFnErrorErr::Args(e) | ServerFnErrorErr::Deserialization(e) if e.contains("length limit") => {
                    Some(AppError::TooLarge(format!("the request is too large: {e}")))
                }
                ServerFnErrorErr::Args(e) | ServerFnErrorErr::Deserialization(e) => {
                    Some(AppError::BadRequest(format!("the request's arguments cannot be read: {e}")))
                }
                ServerFnErrorErr::MissingArg(name) => Some(AppError::BadRequest(format!("argument {name} is missing"))),
                _ => None,
            };
            if let Some(refused) = refused {
                return refused.respond();
            }
        }
        AppError::Transport(value.to_string())
    }
}

/// Field errors found by a check become a refusal naming them.
impl From<Vec<FieldError>> for AppError {
    fn from(errors: Vec<FieldError>) -> Self {
        AppError::Invalid(errors)
    }
}

/// The unique keys concurrent writers may both try to insert (two first orders of a new customer, a
/// new channel sent twice at once): the loser runs its work again and finds the winner's row. Any other
/// unique violation is a conflict, not a race, and is never retried.
#[cfg(feature = "ssr")]
pub const RACE_KEYS: [&str; 11] = [
    "channel_workspace_id_key_key",
    "customer_workspace_id_channel_id_external_id_key",
    "customer_order_workspace_id_channel_id_external_id_key",
    "ticket_workspace_id_channel_id_external_id_key",
    "message_workspace_id_channel_id_external_id_key",
    "customer_email_workspace_id_customer_id_normalized_key",
    "customer_address_workspace_id_customer_id_kind_key",
    "segment_membership_pkey",
    "custom_field_value_pkey",
    "name_word_pkey",
    "customer_search_pkey",
];

/// The policy for database errors, in one place: races are retried, refused records are the request's
/// fault, an unreachable or slow database says "try again", anything else is ours and is logged.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        use sqlx::Error as E;
        match &error {
            E::RowNotFound => AppError::NotFound,
            E::Database(db) => {
                let code = db.code().unwrap_or_default();
                let constraint = db.constraint().unwrap_or_default();
                match &*code {
                    // deadlock, serialization failure
                    "40P01" | "40001" => AppError::Retry,
                    "23505" if RACE_KEYS.contains(&constraint) => AppError::Retry,
                    "23505" => {
                        tracing::warn!(%error, constraint, "unexpected duplicate");
                        AppError::Conflict("a record with the same key exists already".into())
                    }
                    // check, foreign key, not null; data exceptions (out of range, NUL in text, bad date)
                    c if c.starts_with("23") || c.starts_with("22") => {
                        tracing::warn!(%error, constraint, "the database refused a record");
                        let rule = if constraint.is_empty() { db.message().to_string() } else { constraint.into() };
                        AppError::Refused(rule)
                    }
                    "57014" => {
                        tracing::warn!(%error, "a statement ran into its time limit");
                        AppError::TooSlow
                    }
                    // shutting down, starting up, connection exceptions
                    c if c.starts_with("57P") || c.starts_with("08") => {
                        tracing::warn!(%error, "the database is not available");
                        AppError::Unavailable
                    }
                    _ => AppError::internal(error),
                }
            }
            E::Io(_) | E::Tls(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed | E::Protocol(_) => {
                tracing::warn!(%error, "the database is not reachable");
                AppError::Unavailable
            }
            _ => AppError::internal(error),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Turns the violation of a named constraint into a message about the field it guards; any other error
/// stays what it was (zero-to-production / realworld-axum-sqlx `on_constraint`).
#[cfg(feature = "ssr")]
pub fn on_constraint(error: sqlx::Error, map: impl FnOnce(&str) -> Option<AppError>) -> AppError {
    if let sqlx::Error::Database(db) = &error
        && let Some(mapped) = db.constraint().and_then(map)
    {
        return mapped;
    }
    error.into()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

    /// What `in_transaction!` needs of the state.
    struct State {
        pool: sqlx::PgPool,
        clock: crate::clock::Clock,
    }

    /// Runs `statement` in `in_transaction!`; answers the outcome and how many times it was tried.
    async fn attempt(state: &State, statement: &str) -> (AppResult<()>, u32) {
        let attempts = AtomicU32::new(0);
        let result = crate::in_transaction!(state, |tx, _now| async {
            attempts.fetch_add(1, Relaxed);
            sqlx::raw_sql(statement).execute(&mut *tx).await?;
            Ok(())
        })
        .await;
        (result, attempts.into_inner())
    }

    /// Every unique violation was a "race", retried five times and reported as too many concurrent writes.
    #[sqlx::test(migrations = "../migrations")]
    async fn only_races_are_retried_and_refused_records_are_told_apart(pool: sqlx::PgPool) {
        let state =
            State { pool: pool.clone(), clock: crate::clock::Clock::fixed("2026-11-01T00:00:00Z".parse().unwrap()) };
        sqlx::query("insert into workspace (slug, name) values ('a', 'A')").execute(&pool).await.unwrap();

        let (result, tries) = attempt(&state, "insert into workspace (slug, name) values ('a', 'A again')").await;
        assert!(matches!(result, Err(AppError::Conflict(ref m)) if m.contains("same key")), "{result:?}");
        assert_eq!(tries, 1, "an unexpected duplicate is not a race");

        let race = "insert into channel (workspace_id, key, kind, name)
                    select id, 'manual', 'manual', 'Manual' from workspace where slug = 'a'";
        let (result, tries) = attempt(&state, race).await;
        assert!(matches!(result, Err(AppError::Conflict(ref m)) if m.contains("concurrent")), "{result:?}");
        assert_eq!(tries, 5, "a lost race on an upsert key is run again");

        let (result, tries) = attempt(&state, "insert into workspace (slug, name) values ('Not A Slug', 'B')").await;
        assert!(matches!(result, Err(AppError::Refused(_))), "{result:?}");
        assert_eq!(tries, 1);
        let (result, _) = attempt(&state, "select convert_from('\\x00'::bytea, 'UTF8')").await;
        assert!(matches!(result, Err(AppError::Refused(_))), "{result:?}");
        let (result, _) = attempt(&state, "select 1e20::numeric(5, 2)").await;
        assert!(matches!(result, Err(AppError::Refused(_))), "{result:?}");
        let (result, _) = attempt(&state, "set local statement_timeout = 50; select pg_sleep(1)").await;
        assert!(matches!(result, Err(AppError::TooSlow)), "{result:?}");
        assert_eq!(AppError::TooSlow.status(), 503);
    }

    /// The race keys are constraints of the schema: a renamed one would silently stop being retried.
    #[sqlx::test(migrations = "../migrations")]
    async fn every_race_key_is_a_constraint_of_the_schema(pool: sqlx::PgPool) {
        for key in RACE_KEYS {
            let found: bool = sqlx::query_scalar("select exists (select 1 from pg_constraint where conname = $1)")
                .bind(key)
                .fetch_one(&pool)
                .await
                .unwrap();
            assert!(found, "{key} is not a constraint");
        }
    }
}
