//! SQL of sessions, sign-in throttling and API keys.

use super::Caller;
use crate::accounts::Role;
use crate::accounts::secrets::{sha256, verify_password_limited};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sqlx::PgPool;
use std::sync::LazyLock;

/// How long a session lasts without use; using it in its second half extends it.
pub const SESSION_LIFETIME: Duration = Duration::days(14);
/// Failures counted for throttling are those of the last 15 minutes.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// Failed sign-ins allowed per account within the window, and per address (shared offices, NAT).
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 30;

/// Checks an email and password; returns the account and the workspace to start in. Unknown accounts
/// cost a hash verification too, so timing does not reveal which emails exist.
#[tracing::instrument(skip_all)]
pub async fn check_password(pool: &PgPool, email: &str, password: &str) -> AppResult<Option<(i64, i64)>> {
    let email = crate::accounts::db::normalize_email(email);
    let account = sqlx::query!(
        r#"select u.id, u.password_hash,
                  (select m.workspace_id from membership m where m.user_id = u.id and m.deactivated_at is null
                    order by m.created_at, m.workspace_id limit 1) as workspace_id
             from user_account u where u.email = $1"#,
        email
    )
    .fetch_optional(pool)
    .await?;
    // A hash of a random password, made with the same parameters: checking against it takes as long.
    static DECOY: LazyLock<String> =
        LazyLock::new(|| password_auth::generate_hash(hex::encode(rand::random::<[u8; 16]>())));
    let hash = account.as_ref().map_or_else(|| DECOY.clone(), |a| a.password_hash.clone());
    let matches = verify_password_limited(password.to_string(), hash).await?;
    Ok(match account {
        Some(a) if matches => a.workspace_id.map(|w| (a.id, w)),
        _ => None,
    })
}

/// Starts a session and returns the token for the cookie; only its hash is stored.
#[tracing::instrument(skip(pool))]
pub async fn create_session(pool: &PgPool, user_id: i64, workspace_id: i64, now: DateTime<Utc>) -> AppResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    // Sign-ins are rare enough to sweep expired sessions here instead of in a background job.
    sqlx::query!("delete from session where expires_at <= $1", now).execute(pool).await?;
    sqlx::query!(
        "insert into session (token_hash, user_id, workspace_id, expires_at, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $5)",
        sha256(&token),
        user_id,
        workspace_id,
        now + SESSION_LIFETIME,
        now
    )
    .execute(pool)
    .await?;
    Ok(token)
}

/// The caller behind a session token, if the session is current and the membership active.
#[tracing::instrument(skip(pool, token))]
pub async fn session_caller(pool: &PgPool, token: &str, now: DateTime<Utc>) -> AppResult<Option<Caller>> {
    let row = sqlx::query!(
        r#"select s.id, s.expires_at, u.id as user_id, u.email, w.id as workspace_id, w.name as workspace_name,
                  m.role
             from session s
             join user_account u on u.id = s.user_id
             join membership m on m.workspace_id = s.workspace_id and m.user_id = s.user_id
             join workspace w on w.id = s.workspace_id
            where s.token_hash = $1 and s.expires_at > $2 and m.deactivated_at is null"#,
        sha256(token),
        now
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.expires_at - now < SESSION_LIFETIME / 2 {
        sqlx::query!(
            "update session set expires_at = $2, updated_at = $3 where id = $1",
            row.id,
            now + SESSION_LIFETIME,
            now
        )
        .execute(pool)
        .await?;
    }
    let role: Role = row.role.parse().map_err(AppError::internal)?;
    Ok(Some(Caller {
        user_id: row.user_id,
        email: row.email,
        workspace_id: row.workspace_id,
        workspace_name: row.workspace_name,
        role,
    }))
}

pub async fn delete_session(pool: &PgPool, token: &str) -> AppResult<()> {
    sqlx::query!("delete from session where token_hash = $1", sha256(token)).execute(pool).await?;
    Ok(())
}

/// Longest email a sign-in is checked with; a longer one cannot be an account's (RFC 5321 allows 254).
pub const MAX_EMAIL_LEN: usize = 320;

/// Records a sign-in attempt for the account and the address, then counts the recent ones: how long to
/// wait when too many failed lately, else `None` (the attempt stays as a failure unless `clear_failures`
/// removes it after the right password). Recording *before* checking makes the check atomic: of any
/// number of parallel attempts at most `MAX_FAILURES_PER_ACCOUNT` see a count within the limit, since
/// each counts its own row and every row committed before it. A throttled attempt's row is removed, so
/// waiting out the window is enough. The email is cut to `MAX_EMAIL_LEN` (a longer one is refused
/// anyway), so recording never fails on its length.
#[tracing::instrument(skip_all)]
pub async fn record_attempt(pool: &PgPool, email: &str, ip: &str, now: DateTime<Utc>) -> AppResult<Option<Duration>> {
    let email: String = crate::accounts::db::normalize_email(email).chars().take(MAX_EMAIL_LEN).collect();
    let ip: String = ip.chars().take(64).collect();
    let since = now - THROTTLE_WINDOW;
    sqlx::query!("delete from sign_in_failure where failed_at <= $1", since).execute(pool).await?;
    let id = sqlx::query_scalar!(
        "insert into sign_in_failure (email, ip, failed_at) values ($1, $2, $3) returning id",
        email,
        ip,
        now
    )
    .fetch_one(pool)
    .await?;
    let row = sqlx::query!(
        r#"select (select count(*) from sign_in_failure where email = $1 and failed_at > $3) as "by_account!",
                  (select count(*) from sign_in_failure where ip = $2 and failed_at > $3) as "by_address!",
                  (select max(failed_at) from sign_in_failure
                    where (email = $1 or ip = $2) and failed_at > $3 and id <> $4) as latest"#,
        email,
        ip,
        since,
        id
    )
    .fetch_one(pool)
    .await?;
    if row.by_account <= MAX_FAILURES_PER_ACCOUNT && row.by_address <= MAX_FAILURES_PER_ADDRESS {
        return Ok(None);
    }
    sqlx::query!("delete from sign_in_failure where id = $1", id).execute(pool).await?;
    // wait until the latest failure leaves the window
    let latest = row.latest.unwrap_or(now);
    Ok(Some((latest + THROTTLE_WINDOW - now).max(Duration::seconds(1))))
}

pub async fn clear_failures(pool: &PgPool, email: &str) -> AppResult<()> {
    let email = crate::accounts::db::normalize_email(email);
    sqlx::query!("delete from sign_in_failure where email = $1", email).execute(pool).await?;
    Ok(())
}

/// The workspace an API key belongs to, if the key exists and is not revoked. Its last use is recorded
/// at most once a minute: a busy integration should not rewrite the key's row on every request.
#[tracing::instrument(skip(pool, key))]
pub async fn api_key_workspace(pool: &PgPool, key: &str, now: DateTime<Utc>) -> AppResult<Option<i64>> {
    let Some(key) = sqlx::query!(
        "select id, workspace_id, last_used_at from api_key where key_hash = $1 and revoked_at is null",
        sha256(key)
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    if key.last_used_at.is_none_or(|used| now - used >= Duration::minutes(1)) {
        sqlx::query!(
            "update api_key set last_used_at = $2 where id = $1 and (last_used_at is null or last_used_at < $2)",
            key.id,
            now
        )
        .execute(pool)
        .await?;
    }
    Ok(Some(key.workspace_id))
}

/// Moves the session to another workspace of its user; false when the user is not an active member.
pub async fn switch_workspace(pool: &PgPool, token: &str, workspace_id: i64, now: DateTime<Utc>) -> AppResult<bool> {
    let moved = sqlx::query!(
        "update session s set workspace_id = $2, updated_at = $3
           from membership m
          where s.token_hash = $1 and s.expires_at > $3
            and m.workspace_id = $2 and m.user_id = s.user_id and m.deactivated_at is null",
        sha256(token),
        workspace_id,
        now
    )
    .execute(pool)
    .await?;
    Ok(moved.rows_affected() == 1)
}

/// The workspaces a user may switch to, with their role in each.
pub async fn workspaces_of(pool: &PgPool, user_id: i64) -> AppResult<Vec<super::WorkspaceChoice>> {
    let rows = sqlx::query!(
        "select w.id, w.name, m.role from membership m join workspace w on w.id = m.workspace_id
          where m.user_id = $1 and m.deactivated_at is null order by w.name, w.id",
        user_id
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(super::WorkspaceChoice { id: r.id, name: r.name, role: r.role.parse().map_err(AppError::internal)? })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::db::{add_member, create_workspace};
    use crate::accounts::secrets::hash_password;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    async fn member(pool: &PgPool, slug: &str, email: &str, role: Role) -> (i64, i64) {
        let ws = match crate::accounts::db::workspace_by_slug(pool, slug).await {
            Ok(ws) => ws,
            Err(_) => create_workspace(pool, slug, slug, "USD", "UTC").await.unwrap(),
        };
        let hash = hash_password("a long password").unwrap();
        (add_member(pool, ws.id, email, role, Some(&hash)).await.unwrap(), ws.id)
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_right_password_opens_a_session_and_a_wrong_one_does_not(pool: PgPool) {
        let (user, ws) = member(&pool, "a", "ann@example.com", Role::Agent).await;
        assert_eq!(check_password(&pool, "ANN@example.com ", "a long password").await.unwrap(), Some((user, ws)));
        assert_eq!(check_password(&pool, "ann@example.com", "a long passworD").await.unwrap(), None);
        assert_eq!(check_password(&pool, "nobody@example.com", "a long password").await.unwrap(), None);

        let now = at("2026-11-01T00:00:00Z");
        let token = create_session(&pool, user, ws, now).await.unwrap();
        let caller = session_caller(&pool, &token, now).await.unwrap().expect("a live session");
        assert_eq!((caller.user_id, caller.workspace_id, caller.role), (user, ws, Role::Agent));
        assert_eq!(session_caller(&pool, "not-a-token", now).await.unwrap(), None);

        delete_session(&pool, &token).await.unwrap();
        assert_eq!(session_caller(&pool, &token, now).await.unwrap(), None, "signed out");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn sessions_expire_unless_used_and_end_with_the_membership(pool: PgPool) {
        let (user, ws) = member(&pool, "a", "ann@example.com", Role::Viewer).await;
        let start = at("2026-11-01T00:00:00Z");
        let token = create_session(&pool, user, ws, start).await.unwrap();
        assert_eq!(session_caller(&pool, &token, start + SESSION_LIFETIME).await.unwrap(), None, "expired");

        // used in its second half, it is extended
        let token = create_session(&pool, user, ws, start).await.unwrap();
        let later = start + SESSION_LIFETIME - Duration::days(1);
        assert!(session_caller(&pool, &token, later).await.unwrap().is_some());
        assert!(session_caller(&pool, &token, start + SESSION_LIFETIME + Duration::days(1)).await.unwrap().is_some());

        sqlx::query!("update membership set deactivated_at = now() where user_id = $1", user)
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(session_caller(&pool, &token, later).await.unwrap(), None, "deactivated members are signed out");
        assert_eq!(check_password(&pool, "ann@example.com", "a long password").await.unwrap(), None);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn repeated_failures_throttle_the_account_and_then_the_address(pool: PgPool) {
        let now = at("2026-11-01T00:00:00Z");
        for i in 0..MAX_FAILURES_PER_ACCOUNT {
            assert!(record_attempt(&pool, "Ann@example.com", "10.0.0.1", now).await.unwrap().is_none(), "attempt {i}");
        }
        let wait = record_attempt(&pool, "ann@example.com", "10.0.0.2", now).await.unwrap();
        assert_eq!(wait, Some(THROTTLE_WINDOW), "the account is throttled from any address");
        assert!(record_attempt(&pool, "bob@example.com", "10.0.0.2", now).await.unwrap().is_none());

        // many accounts from one address
        for i in 0..MAX_FAILURES_PER_ADDRESS {
            assert_eq!(record_attempt(&pool, &format!("user{i}@example.com"), "10.9.9.9", now).await.unwrap(), None);
        }
        assert!(record_attempt(&pool, "new@example.com", "10.9.9.9", now).await.unwrap().is_some());

        clear_failures(&pool, "ann@example.com").await.unwrap();
        assert!(record_attempt(&pool, "ann@example.com", "10.0.0.1", now).await.unwrap().is_none());
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            record_attempt(&pool, "ann@example.com", "10.0.0.1", now).await.unwrap();
        }
        assert!(record_attempt(&pool, "ann@example.com", "10.0.0.1", now).await.unwrap().is_some());
        assert!(
            record_attempt(&pool, "ann@example.com", "10.0.0.1", now + THROTTLE_WINDOW).await.unwrap().is_none(),
            "the window has passed"
        );
    }

    /// Parallel wrong passwords used to pass the check before any failure was recorded.
    #[sqlx::test(migrations = "../migrations")]
    async fn parallel_attempts_get_no_more_password_checks_than_the_limit(pool: PgPool) {
        let now = at("2026-11-01T00:00:00Z");
        let attempts: Vec<_> = (0..40)
            .map(|i| {
                let pool = pool.clone();
                tokio::spawn(async move { record_attempt(&pool, "ann@example.com", &format!("10.0.1.{i}"), now).await })
            })
            .collect();
        let mut allowed = 0;
        for attempt in attempts {
            allowed += i64::from(attempt.await.unwrap().unwrap().is_none());
        }
        assert!(allowed <= MAX_FAILURES_PER_ACCOUNT, "{allowed} attempts reached the password check");
    }

    /// A very long email used to make recording the failure fail (an index entry too large), so it was
    /// never counted.
    #[sqlx::test(migrations = "../migrations")]
    async fn attempts_with_a_huge_email_are_counted_too(pool: PgPool) {
        let now = at("2026-11-01T00:00:00Z");
        let huge = format!("{}@example.com", "a".repeat(100_000));
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            assert!(record_attempt(&pool, &huge, "10.0.0.1", now).await.unwrap().is_none());
        }
        assert!(record_attempt(&pool, &huge, "10.0.0.2", now).await.unwrap().is_some());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_user_switches_only_to_workspaces_they_belong_to(pool: PgPool) {
        let (user, a) = member(&pool, "a", "ann@example.com", Role::Admin).await;
        let b = create_workspace(&pool, "b", "B", "USD", "UTC").await.unwrap().id;
        let c = create_workspace(&pool, "c", "C", "USD", "UTC").await.unwrap().id;
        add_member(&pool, b, "ann@example.com", Role::Viewer, None).await.unwrap();
        let now = at("2026-11-01T00:00:00Z");
        let token = create_session(&pool, user, a, now).await.unwrap();

        assert!(!switch_workspace(&pool, &token, c, now).await.unwrap(), "not a member of c");
        assert_eq!(session_caller(&pool, &token, now).await.unwrap().unwrap().workspace_id, a);
        assert!(switch_workspace(&pool, &token, b, now).await.unwrap());
        let caller = session_caller(&pool, &token, now).await.unwrap().unwrap();
        assert_eq!((caller.workspace_id, caller.role), (b, Role::Viewer), "the role is the one of the new workspace");
        let names: Vec<_> = workspaces_of(&pool, user).await.unwrap().into_iter().map(|w| w.name).collect();
        assert_eq!(names, ["B", "a"]);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn api_keys_open_their_own_workspace_until_revoked(pool: PgPool) {
        let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
        let key = crate::accounts::db::create_api_key(&pool, ws, "shop", None).await.unwrap();
        let now = at("2026-11-01T00:00:00Z");
        assert_eq!(api_key_workspace(&pool, &key, now).await.unwrap(), Some(ws));
        assert_eq!(api_key_workspace(&pool, "cv_wrong", now).await.unwrap(), None);

        // the last use is written at most once a minute, not on every request
        let last_used = || async {
            sqlx::query_scalar::<_, Option<DateTime<Utc>>>("select last_used_at from api_key where workspace_id = $1")
                .bind(ws)
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        assert_eq!(last_used().await, Some(now));
        assert_eq!(api_key_workspace(&pool, &key, now + Duration::seconds(59)).await.unwrap(), Some(ws));
        assert_eq!(last_used().await, Some(now), "not rewritten within the minute");
        api_key_workspace(&pool, &key, now + Duration::seconds(61)).await.unwrap();
        assert_eq!(last_used().await, Some(now + Duration::seconds(61)));
        sqlx::query!("update api_key set revoked_at = now() where workspace_id = $1", ws).execute(&pool).await.unwrap();
        assert_eq!(api_key_workspace(&pool, &key, now).await.unwrap(), None);
    }
}
