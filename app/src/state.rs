//! What the server hands to every route and server function: options, the database pool, the clock.

use crate::clock::Clock;
use crate::error::AppError;
use axum::extract::FromRef;
use leptos::prelude::*;
use sqlx::PgPool;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub clock: Clock,
    /// Mark the session cookie `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// VIP refreshes asked for by this process, coalesced.
    pub vip: std::sync::Arc<crate::segments::vip::VipRefreshes>,
    /// Proxies whose `X-Forwarded-For` names the client (`CV_TRUSTED_PROXIES`); empty: none.
    pub trusted_proxies: std::sync::Arc<[ipnet::IpNet]>,
    /// This process's live updates: one listener, fanned out to the tabs' streams.
    pub live: std::sync::Arc<crate::live::hub::Hub>,
}

impl AppState {
    /// The VIP threshold is global: it is refreshed after writes commit, looking at the customers
    /// `written` and at those the threshold's move may have crossed. The writes are acknowledged whatever
    /// becomes of it: a refresh that fails (the database went away just after the commit) is logged and
    /// caught up by the next refresh, never answered as a failure of writes that are stored.
    pub async fn refresh_vip_after(&self, workspace_id: i64, written: &[i64]) {
        if written.is_empty() {
            return;
        }
        if let Err(error) = self.vip.refresh(&self.pool, &self.clock, workspace_id, written).await {
            tracing::warn!(workspace_id, %error, "the VIP refresh after stored writes failed; the next refresh catches up");
        }
    }
}

/// Evaluates `$work` (a future using the transaction `$tx` and the time `$now`) in a transaction of its
/// own, again when a concurrent writer got there first (the same new order or customer sent twice at
/// once) or PostgreSQL broke a deadlock; commits when it succeeds. `$state` has `pool` and `clock`.
#[macro_export]
macro_rules! in_transaction {
    ($state:expr, |$tx:ident, $now:ident| $work:expr) => {
        async {
            let mut attempt = 0;
            loop {
                attempt += 1;
                let mut $tx = $state.pool.begin().await?;
                let $now = $state.clock.now();
                match $work.await {
                    Ok(done) => {
                        $tx.commit().await?;
                        return Ok(done);
                    }
                    Err($crate::error::AppError::Retry) if attempt < 5 => continue,
                    Err($crate::error::AppError::Retry) => {
                        return Err($crate::error::AppError::Conflict("too many concurrent writes; try again".into()));
                    }
                    Err(other) => return Err(other),
                }
            }
        }
    };
}

/// The state provided by `leptos_routes`; missing only if the router was built wrongly.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from the Leptos context"))
}
