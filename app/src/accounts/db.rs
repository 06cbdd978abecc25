//! SQL for workspaces, users, memberships and API keys.

use super::types::{ApiKeyInfo, Member, Role, Workspace};
use crate::checks::{is_email_address, is_iso_code};
use crate::error::{AppError, AppResult, on_constraint};
use sqlx::PgPool;

#[tracing::instrument(skip(pool))]
pub async fn create_workspace(
    pool: &PgPool,
    slug: &str,
    name: &str,
    base_currency: &str,
    time_zone: &str,
) -> AppResult<Workspace> {
    let mut errors = Vec::new();
    if !is_slug(slug) {
        errors.push(("slug", "use 1–63 lower-case letters, digits and hyphens, starting with a letter or digit"));
    }
    if name.trim().is_empty() {
        errors.push(("name", "give the workspace a name"));
    }
    if !is_iso_code(base_currency, 3) {
        errors.push(("currency", "use a three-letter ISO 4217 code such as USD or EUR"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(
            errors
                .into_iter()
                .map(|(path, message)| crate::error::FieldError { path: path.into(), message: message.into() })
                .collect(),
        ));
    }
    let known_zone =
        sqlx::query_scalar!(r#"select exists(select 1 from pg_timezone_names where name = $1) as "known!""#, time_zone)
            .fetch_one(pool)
            .await?;
    if !known_zone {
        return Err(AppError::invalid(
            "timezone",
            format!("unknown time zone {time_zone:?}; use an IANA name such as Europe/Berlin or UTC"),
        ));
    }
    sqlx::query_as!(
        Workspace,
        r#"insert into workspace (slug, name, base_currency, time_zone) values ($1, $2, $3, $4)
           returning id, slug, name, base_currency, time_zone"#,
        slug,
        name.trim(),
        base_currency,
        time_zone
    )
    .fetch_one(pool)
    .await
    .map_err(|e| {
        on_constraint(e, |c| {
            (c == "workspace_slug_key")
                .then(|| AppError::invalid("slug", format!("a workspace with slug {slug:?} already exists")))
        })
    })
}

fn is_slug(slug: &str) -> bool {
    let bytes = slug.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0] != b'-'
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

#[tracing::instrument(skip(pool))]
pub async fn workspace_by_slug(pool: &PgPool, slug: &str) -> AppResult<Workspace> {
    sqlx::query_as!(Workspace, "select id, slug, name, base_currency, time_zone from workspace where slug = $1", slug)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn workspace_currency<'e>(db: impl sqlx::PgExecutor<'e>, workspace_id: i64) -> AppResult<String> {
    Ok(sqlx::query_scalar!("select base_currency from workspace where id = $1", workspace_id).fetch_one(db).await?)
}

/// The account of `email`, if one exists in any workspace.
pub async fn user_id_by_email(pool: &PgPool, email: &str) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar!("select id from user_account where email = $1", normalize_email(email))
        .fetch_optional(pool)
        .await?)
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Adds a member to a workspace. A new account needs `password_hash`; an existing account (a member of
/// another workspace) keeps its password.
#[tracing::instrument(skip(pool, password_hash))]
pub async fn add_member(
    pool: &PgPool,
    workspace_id: i64,
    email: &str,
    role: Role,
    password_hash: Option<&str>,
) -> AppResult<i64> {
    let email = normalize_email(email);
    if !is_email_address(&email) {
        return Err(AppError::invalid("email", format!("{email:?} is not an email address")));
    }
    let mut tx = pool.begin().await?;
    let existing =
        sqlx::query_scalar!("select id from user_account where email = $1", email).fetch_optional(&mut *tx).await?;
    let user_id = match (existing, password_hash) {
        (Some(id), _) => id,
        (None, Some(hash)) => {
            sqlx::query_scalar!(
                "insert into user_account (email, password_hash) values ($1, $2) returning id",
                email,
                hash
            )
            .fetch_one(&mut *tx)
            .await?
        }
        (None, None) => return Err(AppError::invalid("password", "a new account needs a password")),
    };
    sqlx::query!(
        "insert into membership (workspace_id, user_id, role) values ($1, $2, $3)",
        workspace_id,
        user_id,
        role.as_str()
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        on_constraint(e, |c| {
            (c == "membership_pkey")
                .then(|| AppError::invalid("email", format!("{email} is already a member of this workspace")))
        })
    })?;
    tx.commit().await?;
    Ok(user_id)
}

/// Stores a new API key for the workspace and returns the key itself, which is shown once.
#[tracing::instrument(skip(pool))]
pub async fn create_api_key(
    pool: &PgPool,
    workspace_id: i64,
    name: &str,
    created_by: Option<i64>,
) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "give the key a name, e.g. the shop it is for"));
    }
    let key = super::secrets::new_api_key();
    sqlx::query!(
        "insert into api_key (workspace_id, name, prefix, key_hash, created_by) values ($1, $2, $3, $4, $5)",
        workspace_id,
        name,
        key.prefix,
        key.hash,
        created_by
    )
    .execute(pool)
    .await?;
    Ok(key.key)
}

/// The workspace's active admins and agents (who may manage customers and take tasks) as a choice in a
/// form: (user id, name or email), by that label.
pub async fn member_choices(pool: &PgPool, workspace_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query!(
        r#"select u.id, coalesce(nullif(btrim(u.name), ''), u.email) as "label!"
             from membership m join user_account u on u.id = m.user_id
            where m.workspace_id = $1 and m.deactivated_at is null and m.role in ('admin', 'agent') order by 2"#,
        workspace_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|m| (m.id, m.label))
    .collect())
}

pub async fn list_members(pool: &PgPool, workspace_id: i64) -> AppResult<Vec<Member>> {
    let rows = sqlx::query!(
        r#"select u.id, u.email, m.role, m.deactivated_at is null as "active!"
             from membership m join user_account u on u.id = m.user_id
            where m.workspace_id = $1 order by u.email"#,
        workspace_id
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Member {
                user_id: r.id,
                email: r.email,
                role: r.role.parse().map_err(AppError::internal)?,
                active: r.active,
            })
        })
        .collect()
}

/// Changes a member's role or active state, keeping at least one active admin in the workspace.
#[tracing::instrument(skip(pool))]
pub async fn update_member(pool: &PgPool, workspace_id: i64, user_id: i64, role: Role, active: bool) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    // Serialises changes to this workspace's members, so two admins cannot demote each other at once.
    sqlx::query!("select id from workspace where id = $1 for no key update", workspace_id).fetch_one(&mut *tx).await?;
    let changed = sqlx::query!(
        "update membership set role = $3, updated_at = now(),
                deactivated_at = case when $4 then null else coalesce(deactivated_at, now()) end
          where workspace_id = $1 and user_id = $2",
        workspace_id,
        user_id,
        role.as_str(),
        active
    )
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let admins = sqlx::query_scalar!(
        r#"select count(*) as "n!" from membership
            where workspace_id = $1 and role = 'admin' and deactivated_at is null"#,
        workspace_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if admins == 0 {
        return Err(AppError::Conflict("the workspace needs at least one active admin".into()));
    }
    tx.commit().await?;
    Ok(())
}

pub async fn list_api_keys(pool: &PgPool, workspace_id: i64) -> AppResult<Vec<ApiKeyInfo>> {
    Ok(sqlx::query_as!(
        ApiKeyInfo,
        r#"select id, name, prefix, created_at, last_used_at, revoked_at is not null as "revoked!"
             from api_key where workspace_id = $1 order by revoked_at is not null, created_at desc, id desc"#,
        workspace_id
    )
    .fetch_all(pool)
    .await?)
}

pub async fn revoke_api_key(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<()> {
    let revoked = sqlx::query!(
        "update api_key set revoked_at = coalesce(revoked_at, now()), updated_at = now()
          where workspace_id = $1 and id = $2",
        workspace_id,
        id
    )
    .execute(pool)
    .await?;
    if revoked.rows_affected() == 0 { Err(AppError::NotFound) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn a_new_workspace_has_the_six_builtin_segments_and_a_manual_channel(pool: PgPool) {
        let ws = create_workspace(&pool, "acme", "Acme", "EUR", "Europe/Berlin").await.unwrap();
        let segments =
            sqlx::query_scalar!("select key from segment where workspace_id = $1 and builtin order by key", ws.id)
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(
            segments,
            ["active_customer", "new_contact", "new_customer", "repeat_contact", "repeat_customer", "vip"]
        );
        let manual = sqlx::query_scalar!("select kind from channel where workspace_id = $1 and key = 'manual'", ws.id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(manual, "manual");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn bad_workspace_input_names_every_bad_field(pool: PgPool) {
        let err = create_workspace(&pool, "Not A Slug", " ", "euro", "UTC").await.unwrap_err();
        let AppError::Invalid(fields) = err else { panic!("expected field errors, got {err:?}") };
        let paths: Vec<_> = fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["slug", "name", "currency"]);

        let err = create_workspace(&pool, "acme", "Acme", "EUR", "Mars/Olympus").await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref f) if f[0].path == "timezone"), "{err:?}");

        create_workspace(&pool, "acme", "Acme", "EUR", "UTC").await.unwrap();
        let err = create_workspace(&pool, "acme", "Acme again", "EUR", "UTC").await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref f) if f[0].path == "slug"), "{err:?}");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn one_account_can_join_several_workspaces_once_each(pool: PgPool) {
        let a = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap();
        let b = create_workspace(&pool, "b", "B", "USD", "UTC").await.unwrap();
        let hash = crate::accounts::secrets::hash_password("a long password").unwrap();
        let id = add_member(&pool, a.id, "Ann@Example.com ", Role::Admin, Some(&hash)).await.unwrap();
        let again = add_member(&pool, b.id, "ann@example.com", Role::Viewer, None).await.unwrap();
        assert_eq!(id, again, "the same account joins the second workspace");
        let err = add_member(&pool, a.id, "ann@example.com", Role::Agent, None).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref f) if f[0].path == "email"), "{err:?}");
        let err = add_member(&pool, a.id, "bob@example.com", Role::Agent, None).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref f) if f[0].path == "password"), "{err:?}");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_workspace_always_keeps_an_active_admin(pool: PgPool) {
        let ws = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
        let hash = crate::accounts::secrets::hash_password("a long password").unwrap();
        let ann = add_member(&pool, ws, "ann@example.com", Role::Admin, Some(&hash)).await.unwrap();
        let bob = add_member(&pool, ws, "bob@example.com", Role::Agent, Some(&hash)).await.unwrap();
        let err = update_member(&pool, ws, ann, Role::Agent, true).await.unwrap_err();
        assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
        let err = update_member(&pool, ws, ann, Role::Admin, false).await.unwrap_err();
        assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
        assert_eq!(list_members(&pool, ws).await.unwrap()[0].role, Role::Admin, "refused changes leave nothing behind");

        update_member(&pool, ws, bob, Role::Admin, true).await.unwrap();
        update_member(&pool, ws, ann, Role::Viewer, false).await.unwrap();
        let members = list_members(&pool, ws).await.unwrap();
        assert_eq!(
            members.iter().map(|m| (m.email.as_str(), m.role, m.active)).collect::<Vec<_>>(),
            [("ann@example.com", Role::Viewer, false), ("bob@example.com", Role::Admin, true)]
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn members_and_keys_of_another_workspace_are_not_found(pool: PgPool) {
        let a = create_workspace(&pool, "a", "A", "USD", "UTC").await.unwrap().id;
        let b = create_workspace(&pool, "b", "B", "USD", "UTC").await.unwrap().id;
        let hash = crate::accounts::secrets::hash_password("a long password").unwrap();
        let bob = add_member(&pool, b, "bob@example.com", Role::Admin, Some(&hash)).await.unwrap();
        create_api_key(&pool, b, "shop", None).await.unwrap();
        let b_key = list_api_keys(&pool, b).await.unwrap()[0].id;
        assert_eq!(update_member(&pool, a, bob, Role::Viewer, true).await.unwrap_err(), AppError::NotFound);
        assert_eq!(revoke_api_key(&pool, a, b_key).await.unwrap_err(), AppError::NotFound);
        assert!(list_members(&pool, a).await.unwrap().is_empty());
        assert!(list_api_keys(&pool, a).await.unwrap().is_empty());
        assert!(!list_api_keys(&pool, b).await.unwrap()[0].revoked);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn api_keys_are_stored_only_as_hashes(pool: PgPool) {
        let ws = create_workspace(&pool, "acme", "Acme", "USD", "UTC").await.unwrap();
        let key = create_api_key(&pool, ws.id, "shop", None).await.unwrap();
        let stored = sqlx::query!("select prefix, key_hash from api_key where workspace_id = $1", ws.id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(stored.key_hash, crate::accounts::secrets::sha256(&key));
        assert!(key.starts_with(&stored.prefix));
    }
}
