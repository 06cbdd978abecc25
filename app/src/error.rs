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
    /// Details are logged on the server, never shown.
    #[error("something went wrong on our side; please try again")]
    Internal,
    /// A concurrent writer won a race (unique key, deadlock): running the same work again will succeed.
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
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// Sets the HTTP status of the response under way (a server function's) to this error's, and
    /// returns the error: server functions answer 401/403/404/422 rather than a blanket 500.
    #[cfg(feature = "ssr")]
    pub fn respond(self) -> Self {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = axum::http::StatusCode::from_u16(self.status())
        {
            response.set_status(status);
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

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

/// Field errors found by a check become a refusal naming them.
impl From<Vec<FieldError>> for AppError {
    fn from(errors: Vec<FieldError>) -> Self {
        AppError::Invalid(errors)
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => AppError::NotFound,
            // unique violation, deadlock, serialization failure
            sqlx::Error::Database(ref db) if matches!(db.code().as_deref(), Some("23505" | "40P01" | "40001")) => {
                AppError::Retry
            }
            error => {
                tracing::error!(%error, "database error");
                AppError::Internal
            }
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
