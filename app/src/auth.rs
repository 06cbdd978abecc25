//! Who is asking: sessions for people, API keys for programs, and the one check every server function
//! and API route makes before doing anything (`require`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod login;
#[cfg(feature = "ssr")]
pub mod web;

use crate::accounts::Role;
use serde::{Deserialize, Serialize};

/// The signed-in member making a request: their account, the workspace they work in and their role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub user_id: i64,
    pub email: String,
    pub workspace_id: i64,
    pub workspace_name: String,
    pub role: Role,
}

/// A workspace the caller can switch to, and their role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceChoice {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// The signed-in caller, if any (set on the request by `web::resolve_session`).
#[cfg(feature = "ssr")]
pub fn signed_in() -> Option<Caller> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>().cloned())
}

/// The signed-in caller if their role allows `needed`: `Unauthenticated` without a session, `Forbidden`
/// when the role is too weak. Every server function starts with it.
#[cfg(feature = "ssr")]
pub fn require(needed: Role) -> Result<Caller, crate::error::AppError> {
    use crate::error::AppError;

    let caller = signed_in().ok_or(AppError::Unauthenticated).map_err(AppError::respond)?;
    if !caller.role.allows(needed) {
        return Err(AppError::Forbidden.respond());
    }
    Ok(caller)
}

/// How every server function starts and ends: the caller, whose role must allow `needed`, and the
/// state are handed to `work`; whatever fails, before or inside it, sets the response's status (401,
/// 403, 404, 422, 503 …), so no server function can answer a refusal with the default 500.
#[cfg(feature = "ssr")]
pub async fn guard<T, F, Fut>(needed: Role, work: F) -> crate::error::AppResult<T>
where
    F: FnOnce(Caller, crate::state::AppState) -> Fut,
    Fut: Future<Output = crate::error::AppResult<T>>,
{
    let result = async {
        let caller = require(needed)?;
        let state = crate::state::app_state()?;
        work(caller, state).await
    };
    result.await.map_err(crate::error::AppError::respond)
}

/// A write by the signed-in member: the workspace, who writes (for the event log) and when.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy)]
pub struct Write {
    pub workspace_id: i64,
    pub actor: i64,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// How every server function that writes starts and ends: `guard(needed)`, then `$work` (a future) in a
/// transaction of its own (`in_transaction!`: run again when it lost a race), with the transaction as
/// `$tx` and the write's workspace, actor and time as `$w` (`Write`). A macro rather than a function
/// taking an async closure: the future of such a closure cannot yet be required to be `Send`, which
/// server functions need.
#[macro_export]
macro_rules! guard_write {
    ($needed:expr, |$tx:ident, $w:ident| $work:expr) => {
        $crate::auth::guard($needed, |caller, state| async move {
            $crate::in_transaction!(state, |tx, now| {
                let $w = $crate::auth::Write { workspace_id: caller.workspace_id, actor: caller.user_id, now };
                let $tx: &mut sqlx::PgConnection = &mut tx;
                $work
            })
            .await
        })
    };
}
