//! Channels in the database: added and connected by admins (or `server channel create`), found by their
//! webhook token, and told what they last received and what last went wrong.

use super::{AmazonCredentials, ChannelKind, ChannelView, Connection, is_channel_key};
use crate::error::{AppError, AppResult, FieldError};
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgPool};

/// How long a replaced secret still verifies deliveries: Shopify signs with the old one a while.
const PREVIOUS_SECRET_GRACE_MINUTES: i64 = 60;

/// A new webhook token: 32 random bytes, hex.
fn new_hook_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A connection checked: the name, and what is to be stored (`None`: keep what is stored).
struct Checked {
    name: String,
    secret: Option<String>,
    api_base_url: Option<String>,
    credentials: Option<Value>,
}

fn blank_to_none(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Checks what a seller wrote for a channel of `kind`; every bad field is named.
fn check(kind: ChannelKind, connection: &Connection) -> AppResult<Checked> {
    let mut errors = Vec::new();
    let mut fail = |path: &str, message: &str| errors.push(FieldError { path: path.into(), message: message.into() });
    let name = connection.name.trim().to_string();
    if name.is_empty() {
        fail("name", "give the channel a name, e.g. \"Shopify EU\"");
    } else if name.chars().count() > 200 {
        fail("name", "use at most 200 characters");
    }
    let secret = blank_to_none(&connection.secret).map(str::to_string);
    if secret.as_ref().is_some_and(|s| s.chars().count() > 500) {
        fail("secret", "use at most 500 characters");
    }
    let api_base_url = blank_to_none(&connection.api_base_url).map(|u| u.trim_end_matches('/').to_string());
    if let Some(url) = &api_base_url
        && (!(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace))
    {
        fail("api_base_url", "use the API's address, starting with https://");
    }
    let credentials = match kind {
        ChannelKind::BigCommerce => blank_to_none(&connection.access_token).map(|t| json!({"access_token": t})),
        ChannelKind::Amazon => match &connection.amazon {
            Some(amazon) if amazon != &AmazonCredentials::default() => {
                for (field, value) in [
                    ("amazon.marketplace_id", &amazon.marketplace_id),
                    ("amazon.client_id", &amazon.client_id),
                    ("amazon.client_secret", &amazon.client_secret),
                    ("amazon.refresh_token", &amazon.refresh_token),
                ] {
                    if value.trim().is_empty() {
                        fail(field, "is needed to read the orders");
                    }
                }
                let token_url = blank_to_none(&amazon.token_url);
                if token_url.is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
                    fail("amazon.token_url", "use the token endpoint's address, starting with https://");
                }
                Some(json!({
                    "marketplace_id": amazon.marketplace_id.trim(),
                    "client_id": amazon.client_id.trim(),
                    "client_secret": amazon.client_secret.trim(),
                    "refresh_token": amazon.refresh_token.trim(),
                    "token_url": token_url,
                }))
            }
            _ => None,
        },
        _ => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(Checked { name, secret, api_base_url, credentials })
}

/// Adds a channel; webhook platforms get their webhook address at once.
pub async fn create(
    pool: &PgPool,
    workspace_id: i64,
    key: &str,
    kind: ChannelKind,
    connection: &Connection,
) -> AppResult<ChannelView> {
    if !is_channel_key(key) {
        return Err(AppError::invalid("key", super::CHANNEL_KEY_HINT));
    }
    let checked = check(kind, connection)?;
    let token = new_hook_token();
    let id = sqlx::query_scalar!(
        "insert into channel (workspace_id, key, kind, name, hook_token, secret, api_base_url, credentials)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (workspace_id, key) do nothing
         returning id",
        workspace_id,
        key,
        kind.as_str(),
        checked.name,
        token,
        checked.secret,
        checked.api_base_url,
        checked.credentials
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::invalid("key", format!("a channel with the key {key:?} exists already")))?;
    one(pool, workspace_id, id).await
}

/// Changes a channel's name and connection; a blank secret or credential keeps the stored one. A new
/// secret leaves the old one valid for an hour, while the platform moves over.
pub async fn connect(
    pool: &PgPool,
    workspace_id: i64,
    id: i64,
    connection: &Connection,
    now: DateTime<Utc>,
) -> AppResult<ChannelView> {
    let kind = sqlx::query_scalar!("select kind from channel where workspace_id = $1 and id = $2", workspace_id, id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = crate::ingest::stored_status(ChannelKind::parse, &kind)?;
    let checked = check(kind, connection)?;
    let grace = now + chrono::Duration::minutes(PREVIOUS_SECRET_GRACE_MINUTES);
    sqlx::query!(
        "update channel
            set name = $3,
                previous_secret = case when $4::text is distinct from secret and $4::text is not null
                                       then secret else previous_secret end,
                previous_secret_until = case when $4::text is distinct from secret and $4::text is not null
                                             then $8 else previous_secret_until end,
                secret = coalesce($4, secret),
                api_base_url = coalesce($5, api_base_url),
                credentials = coalesce($6, credentials),
                hook_token = coalesce(hook_token, $7),
                updated_at = now()
          where workspace_id = $1 and id = $2",
        workspace_id,
        id,
        checked.name,
        checked.secret,
        checked.api_base_url,
        checked.credentials,
        new_hook_token(),
        grace
    )
    .execute(pool)
    .await?;
    one(pool, workspace_id, id).await
}

/// Switches a channel on or off: off, its webhooks are answered 410 and its poller stops.
pub async fn set_active(pool: &PgPool, workspace_id: i64, id: i64, active: bool) -> AppResult<ChannelView> {
    let done = sqlx::query!(
        "update channel set active = $3, updated_at = now() where workspace_id = $1 and id = $2",
        workspace_id,
        id,
        active
    )
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    one(pool, workspace_id, id).await
}

/// The workspace's channels, by name.
pub async fn list(pool: &PgPool, workspace_id: i64) -> AppResult<Vec<ChannelView>> {
    views(pool, workspace_id, None).await
}

pub async fn one(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<ChannelView> {
    views(pool, workspace_id, Some(id)).await?.pop().ok_or(AppError::NotFound)
}

async fn views(pool: &PgPool, workspace_id: i64, id: Option<i64>) -> AppResult<Vec<ChannelView>> {
    let rows = sqlx::query!(
        r#"select c.id, c.key, c.kind, c.name, c.active, c.hook_token, right(c.secret, 4) as secret_hint,
                  c.api_base_url, c.credentials is not null as "has_credentials!", c.last_received_at, c.last_error,
                  c.last_error_at, open.waiting as "waiting!", open.failed as "failed!"
             from channel c,
                  lateral (select count(*) filter (where d.status = 'received') as waiting,
                                  count(*) filter (where d.status = 'failed') as failed
                             from channel_delivery d
                            where d.workspace_id = c.workspace_id and d.channel_id = c.id and d.status <> 'done') open
            where c.workspace_id = $1 and ($2::bigint is null or c.id = $2)
            order by lower(c.name), c.id"#,
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let kind = crate::ingest::stored_status(ChannelKind::parse, &r.kind)?;
            Ok(ChannelView {
                id: r.id,
                key: r.key,
                kind,
                name: r.name,
                active: r.active,
                hook_path: r.hook_token.map(|t| format!("/hooks/{t}")),
                secret_hint: r.secret_hint,
                api_base_url: r.api_base_url,
                has_credentials: r.has_credentials,
                last_received_at: r.last_received_at,
                last_error: r.last_error,
                last_error_at: r.last_error_at,
                waiting: r.waiting,
                failed: r.failed,
            })
        })
        .collect()
}

/// A channel found by its webhook token, with what verifies its deliveries.
pub struct HookChannel {
    pub workspace_id: i64,
    pub id: i64,
    pub key: String,
    pub kind: ChannelKind,
    pub active: bool,
    /// The secret, and the one before it while it is still accepted.
    pub secrets: Vec<String>,
}

pub async fn by_hook_token(pool: &PgPool, token: &str, now: DateTime<Utc>) -> AppResult<Option<HookChannel>> {
    let Some(r) = sqlx::query!(
        "select workspace_id, id, key, kind, active, secret, previous_secret, previous_secret_until
           from channel where hook_token = $1",
        token
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let kind = crate::ingest::stored_status(ChannelKind::parse, &r.kind)?;
    let previous = r.previous_secret.filter(|_| r.previous_secret_until.is_some_and(|until| until > now));
    Ok(Some(HookChannel {
        workspace_id: r.workspace_id,
        id: r.id,
        key: r.key,
        kind,
        active: r.active,
        secrets: r.secret.into_iter().chain(previous).collect(),
    }))
}

/// Notes what went wrong with a channel's delivery or poll, for its settings.
pub async fn note_error(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
    error: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "update channel set last_error = $3, last_error_at = $4 where workspace_id = $1 and id = $2",
        workspace_id,
        id,
        error,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The kind of the workspace's channel `key`; `NotFound` when there is none.
pub async fn kind_of(pool: &PgPool, workspace_id: i64, key: &str) -> AppResult<ChannelKind> {
    let kind = sqlx::query_scalar!("select kind from channel where workspace_id = $1 and key = $2", workspace_id, key)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::ingest::stored_status(ChannelKind::parse, &kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::db::create_workspace;

    fn shopify(secret: Option<&str>) -> Connection {
        Connection { name: "Shopify EU".into(), secret: secret.map(str::to_string), ..Connection::default() }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_new_secret_leaves_the_old_one_valid_for_an_hour_and_secrets_are_never_shown(pool: PgPool) {
        let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let channel =
            create(&pool, ws, "shopify-eu", ChannelKind::Shopify, &shopify(Some("first-secret"))).await.unwrap();
        let token = channel.hook_path.clone().unwrap().trim_start_matches("/hooks/").to_string();
        assert_eq!(token.len(), 64);
        assert_eq!(channel.secret_hint.as_deref(), Some("cret"));
        let now: DateTime<Utc> = "2026-11-01T12:00:00Z".parse().unwrap();
        let secrets = |at: DateTime<Utc>| {
            let (pool, token) = (pool.clone(), token.clone());
            async move { by_hook_token(&pool, &token, at).await.unwrap().unwrap().secrets }
        };
        assert_eq!(secrets(now).await, ["first-secret"]);

        // blank keeps it; a new one replaces it, the old one still verifying for an hour
        connect(&pool, ws, channel.id, &shopify(Some("  ")), now).await.unwrap();
        assert_eq!(secrets(now).await, ["first-secret"]);
        let renamed = connect(&pool, ws, channel.id, &shopify(Some("second-secret")), now).await.unwrap();
        assert_eq!(renamed.hook_path, channel.hook_path);
        assert_eq!(secrets(now + chrono::Duration::minutes(59)).await, ["second-secret", "first-secret"]);
        assert_eq!(secrets(now + chrono::Duration::minutes(61)).await, ["second-secret"]);
        let shown = serde_json::to_string(&list(&pool, ws).await.unwrap()).unwrap();
        assert!(!shown.contains("second-secret") && !shown.contains("first-secret"));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn keys_are_unique_and_bad_fields_are_named(pool: PgPool) {
        let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        create(&pool, ws, "shopify-eu", ChannelKind::Shopify, &shopify(None)).await.unwrap();
        let again = create(&pool, ws, "shopify-eu", ChannelKind::Shopify, &shopify(None)).await.unwrap_err();
        assert!(matches!(&again, AppError::Invalid(fields) if fields[0].path == "key"), "{again:?}");
        let bad_key = create(&pool, ws, "Shopify EU", ChannelKind::Shopify, &shopify(None)).await.unwrap_err();
        assert!(matches!(&bad_key, AppError::Invalid(fields) if fields[0].path == "key"));
        let amazon = Connection {
            name: " ".into(),
            api_base_url: Some("ftp://example.com".into()),
            amazon: Some(AmazonCredentials { marketplace_id: "A1PA6795UKMFR9".into(), ..AmazonCredentials::default() }),
            ..Connection::default()
        };
        let AppError::Invalid(fields) = create(&pool, ws, "amazon-de", ChannelKind::Amazon, &amazon).await.unwrap_err()
        else {
            panic!("refused field by field")
        };
        let paths: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["name", "api_base_url", "amazon.client_id", "amazon.client_secret", "amazon.refresh_token"]);
        assert_eq!(list(&pool, ws).await.unwrap().len(), 2, "the manual channel and shopify-eu");
    }
}
