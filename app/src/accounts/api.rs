//! Server functions of Settings → Users and Settings → API keys: admins only, in their own workspace.

use super::types::{ApiKeyInfo, Member, Role};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_members", output = crate::codec::TextJson)]
pub async fn list_members() -> Result<Vec<Member>, AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        super::db::list_members(&state.pool, caller.workspace_id).await
    })
    .await
}

/// Adds a member; a new account needs a password, an existing one (a member elsewhere) keeps its own.
#[server(endpoint = "add_member", output = crate::codec::TextJson)]
pub async fn add_member(email: String, role: Role, password: String) -> Result<(), AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        let hash = match super::db::user_id_by_email(&state.pool, &email).await? {
            Some(_) => None,
            None => Some(super::secrets::hash_password_limited(password).await?),
        };
        super::db::add_member(&state.pool, caller.workspace_id, &email, role, hash.as_deref()).await.map(|_| ())
    })
    .await
}

#[server(endpoint = "update_member", output = crate::codec::TextJson)]
pub async fn update_member(user_id: i64, role: Role, active: bool) -> Result<(), AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        super::db::update_member(&state.pool, caller.workspace_id, user_id, role, active).await
    })
    .await
}

#[server(endpoint = "list_api_keys", output = crate::codec::TextJson)]
pub async fn list_api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        super::db::list_api_keys(&state.pool, caller.workspace_id).await
    })
    .await
}

/// Creates a key and returns it: the only time anyone sees it.
#[server(endpoint = "create_api_key", output = crate::codec::TextJson)]
pub async fn create_api_key(name: String) -> Result<String, AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        super::db::create_api_key(&state.pool, caller.workspace_id, &name, Some(caller.user_id)).await
    })
    .await
}

#[server(endpoint = "revoke_api_key", output = crate::codec::TextJson)]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        super::db::revoke_api_key(&state.pool, caller.workspace_id, id).await
    })
    .await
}
