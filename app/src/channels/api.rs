//! Server functions of Settings → Channels: admins only, in their own workspace. The forms post each
//! field of a connection as an argument of its own (the browser's and the server's halves of a server
//! function both take them), hence more arguments than clippy likes.
#![allow(clippy::too_many_arguments)]

use super::ChannelView;
#[cfg(feature = "ssr")]
use super::{AmazonCredentials, ChannelKind, Connection};
#[cfg(feature = "ssr")]
use crate::accounts::Role;
use crate::error::AppError;
use leptos::prelude::*;

/// The channels, and this server's address as the browser reached it (for the webhook addresses).
#[server(endpoint = "list_channels", output = crate::codec::TextJson)]
pub async fn list_channels() -> Result<(String, Vec<ChannelView>), AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        let channels = super::db::list(&state.pool, caller.workspace_id).await?;
        Ok((origin(state.secure_cookies), channels))
    })
    .await
}

/// `https://host` of the request, as the seller's browser named this server.
#[cfg(feature = "ssr")]
fn origin(secure: bool) -> String {
    let parts = use_context::<axum::http::request::Parts>();
    let header =
        |name: &str| parts.as_ref().and_then(|p| p.headers.get(name)).and_then(|v| v.to_str().ok()).map(str::to_string);
    let host = header("x-forwarded-host").or_else(|| header("host")).unwrap_or_else(|| "localhost".into());
    let https = secure || header("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// The form's connection fields, blank ones as left out.
#[cfg(feature = "ssr")]
fn connection(
    name: String,
    secret: Option<String>,
    api_base_url: Option<String>,
    access_token: Option<String>,
    marketplace_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
) -> Connection {
    let amazon = AmazonCredentials {
        marketplace_id: marketplace_id.unwrap_or_default(),
        client_id: client_id.unwrap_or_default(),
        client_secret: client_secret.unwrap_or_default(),
        refresh_token: refresh_token.unwrap_or_default(),
        token_url: None,
    };
    Connection { name, secret, api_base_url, access_token, amazon: Some(amazon) }
}

#[server(endpoint = "add_channel", output = crate::codec::TextJson)]
pub async fn add_channel(
    key: String,
    kind: String,
    name: String,
    secret: Option<String>,
    api_base_url: Option<String>,
    access_token: Option<String>,
    marketplace_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
) -> Result<ChannelView, AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        let kind = ChannelKind::parse(&kind).ok_or_else(|| AppError::invalid("kind", "choose what the channel is"))?;
        let connection = connection(
            name,
            secret,
            api_base_url,
            access_token,
            marketplace_id,
            client_id,
            client_secret,
            refresh_token,
        );
        super::db::create(&state.pool, caller.workspace_id, key.trim(), kind, &connection).await
    })
    .await
}

/// Renames a channel and changes its connection; blank secrets and credentials keep the stored ones.
#[server(endpoint = "connect_channel", output = crate::codec::TextJson)]
pub async fn connect_channel(
    id: i64,
    name: String,
    secret: Option<String>,
    api_base_url: Option<String>,
    access_token: Option<String>,
    marketplace_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
) -> Result<ChannelView, AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        let connection = connection(
            name,
            secret,
            api_base_url,
            access_token,
            marketplace_id,
            client_id,
            client_secret,
            refresh_token,
        );
        super::db::connect(&state.pool, caller.workspace_id, id, &connection, state.clock.now()).await
    })
    .await
}

/// Switches a channel off (its webhooks are refused with 410, its poller stops) or on again.
#[server(endpoint = "set_channel_active", output = crate::codec::TextJson)]
pub async fn set_channel_active(id: i64, active: bool) -> Result<ChannelView, AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        super::db::set_active(&state.pool, caller.workspace_id, id, active).await
    })
    .await
}
