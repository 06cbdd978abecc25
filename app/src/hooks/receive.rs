//! `POST /hooks/<token>`: a delivery is read as its platform sends it, verified, stored in the inbox and
//! answered at once — the work is the worker's. A bad or missing signature is 401 and stores nothing; a
//! switched-off channel is 410 (the platforms stop sending); the same delivery twice is stored once.

use super::db::{self, NewDelivery};
use super::signature::{same_secret, signed_with, woocommerce_secret};
use crate::channels::ChannelKind;
use crate::channels::db::{HookChannel, by_hook_token};
use crate::error::AppError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The largest delivery taken: orders with hundreds of lines fit well within it.
pub const MAX_DELIVERY_BYTES: usize = 2 * 1024 * 1024;

/// Shopify's order and customer topics (SPEC §11).
pub const SHOPIFY_TOPICS: &[&str] = &[
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
    "refunds/create",
    "customers/create",
    "customers/update",
];
pub const WOOCOMMERCE_TOPICS: &[&str] = &["order.created", "order.updated", "customer.created", "customer.updated"];
pub const BIGCOMMERCE_SCOPES: &[&str] = &["store/order/created", "store/order/updated", "store/order/statusUpdated"];

/// What a delivery turned out to be.
#[derive(Debug, PartialEq)]
enum Read {
    /// Work for the worker.
    Delivery(NewDelivery),
    /// WooCommerce's activation ping: nothing to do but answer.
    Ping,
    /// A topic we do not work with: answered, so that the platform does not retry it or give up on us.
    Ignored(String),
}

fn refusal(error: AppError) -> Response {
    let message = match &error {
        AppError::NotFound => "there is no webhook at this address".to_string(),
        other => other.to_string(),
    };
    (error.http_status(), Json(json!({"error": message}))).into_response()
}

pub async fn receive(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match receive_checked(&state, &token, &headers, body).await {
        Ok(answer) => answer,
        Err(error) => refusal(error),
    }
}

async fn receive_checked(
    state: &AppState,
    token: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    // a token is 64 hex digits: anything else is not one of ours, without asking the database
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let channel = by_hook_token(&state.pool, token, now).await?.ok_or(AppError::NotFound)?;
    if !channel.active {
        return Err(AppError::Gone(format!("the channel {:?} is switched off in Customer View", channel.key)));
    }
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::TooLarge(format!("a delivery can be at most {} MB", MAX_DELIVERY_BYTES / 1024 / 1024))
        }
        _ => AppError::BadRequest(format!("the body could not be read: {}", rejection.body_text())),
    })?;
    match read(&channel, headers, &body)? {
        Read::Delivery(delivery) => {
            let stored = db::store(&state.pool, &channel, &delivery, now).await?;
            Ok(Json(json!({"received": true, "duplicate": !stored})).into_response())
        }
        Read::Ping => Ok(Json(json!({"received": true})).into_response()),
        Read::Ignored(topic) => Ok(Json(json!({"received": true, "ignored": topic})).into_response()),
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// Reads and verifies a delivery for `channel`.
fn read(channel: &HookChannel, headers: &HeaderMap, body: &[u8]) -> Result<Read, AppError> {
    let unsigned = || AppError::Unauthenticated;
    if channel.secrets.is_empty() {
        tracing::warn!(channel = channel.key, "a webhook arrived for a channel without a secret; refused");
        return Err(unsigned());
    }
    let (topic, dedupe) = match channel.kind {
        ChannelKind::Shopify => {
            let signature = header(headers, "x-shopify-hmac-sha256").ok_or_else(unsigned)?;
            if !channel.secrets.iter().any(|s| signed_with(s, body, signature)) {
                return Err(unsigned());
            }
            (header(headers, "x-shopify-topic"), header(headers, "x-shopify-webhook-id"))
        }
        ChannelKind::WooCommerce => {
            let signature = header(headers, "x-wc-webhook-signature");
            let topic = header(headers, "x-wc-webhook-topic");
            // the activation ping: form-encoded `webhook_id=N`, sent before any secret is in use
            if topic.is_none() && is_woocommerce_ping(body) {
                return Ok(Read::Ping);
            }
            let signature = signature.ok_or_else(unsigned)?;
            if !channel.secrets.iter().any(|s| signed_with(&woocommerce_secret(s), body, signature)) {
                return Err(unsigned());
            }
            (topic, header(headers, "x-wc-webhook-delivery-id"))
        }
        ChannelKind::BigCommerce => {
            // the secret as the hook's own header (BigCommerce signs nothing); the order itself is then
            // fetched from the store's API, which is the source of truth
            let given = header(headers, "x-webhook-secret")
                .or_else(|| header(headers, "authorization").and_then(|a| a.strip_prefix("Bearer ")))
                .ok_or_else(unsigned)?;
            if !channel.secrets.iter().any(|s| same_secret(given.trim(), s)) {
                return Err(unsigned());
            }
            (None, None)
        }
        _ => return Err(AppError::NotFound),
    };
    let raw = body;
    let body: Value =
        serde_json::from_slice(raw).map_err(|e| AppError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let (topic, dedupe, known) = match channel.kind {
        ChannelKind::BigCommerce => {
            let scope = body.get("scope").and_then(Value::as_str).map(str::to_string);
            let hash = body.get("hash").and_then(Value::as_str).map(str::to_string);
            let Some(scope) = scope else {
                return Err(AppError::BadRequest("a BigCommerce delivery names its scope".into()));
            };
            if BIGCOMMERCE_SCOPES.contains(&scope.as_str()) && body.pointer("/data/id").is_none() {
                return Err(AppError::BadRequest("a BigCommerce order delivery names the order: data.id".into()));
            }
            let known = BIGCOMMERCE_SCOPES.contains(&scope.as_str());
            (scope, hash, known)
        }
        kind => {
            let Some(topic) = topic else {
                return Err(AppError::BadRequest(format!("a {} delivery names its topic in a header", kind.label())));
            };
            let topics = if kind == ChannelKind::Shopify { SHOPIFY_TOPICS } else { WOOCOMMERCE_TOPICS };
            (topic.to_string(), dedupe.map(str::to_string), topics.contains(&topic))
        }
    };
    if !known {
        return Ok(Read::Ignored(topic));
    }
    // without the platform's delivery id, the body's digest: the same body twice is the same delivery
    let dedupe_key = match dedupe {
        Some(id) => format!("id:{id}"),
        None => format!("sha256:{}", hex::encode(Sha256::digest(raw))),
    };
    Ok(Read::Delivery(NewDelivery { topic, dedupe_key, body }))
}

fn is_woocommerce_ping(body: &[u8]) -> bool {
    let mut fields = form_urlencoded::parse(body);
    matches!(fields.next(), Some((name, id)) if name == "webhook_id" && id.bytes().all(|b| b.is_ascii_digit()))
        && fields.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks::signature::sign;

    fn channel(kind: ChannelKind) -> HookChannel {
        HookChannel {
            workspace_id: 1,
            id: 1,
            key: "shop".into(),
            kind,
            active: true,
            secrets: vec!["new-secret".into(), "old-secret".into()],
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    const ORDER: &[u8] = br##"{"id": 820982911946154508, "name": "#9999"}"##;

    #[test]
    fn shopify_deliveries_signed_with_either_secret_are_read_with_their_topic_and_id() {
        for secret in ["new-secret", "old-secret"] {
            let h = headers(&[
                ("x-shopify-hmac-sha256", &sign(secret, ORDER)),
                ("x-shopify-topic", "orders/create"),
                ("x-shopify-webhook-id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
            ]);
            let Read::Delivery(d) = read(&channel(ChannelKind::Shopify), &h, ORDER).unwrap() else { panic!() };
            assert_eq!(d.topic, "orders/create");
            assert_eq!(d.dedupe_key, "id:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
            assert_eq!(d.body["name"], "#9999");
        }
    }

    #[test]
    fn a_wrong_or_missing_signature_is_refused_as_unauthenticated() {
        let shopify = channel(ChannelKind::Shopify);
        let forged = headers(&[("x-shopify-hmac-sha256", &sign("guess", ORDER)), ("x-shopify-topic", "orders/create")]);
        assert_eq!(read(&shopify, &forged, ORDER), Err(AppError::Unauthenticated));
        let bare = headers(&[("x-shopify-topic", "orders/create")]);
        assert_eq!(read(&shopify, &bare, ORDER), Err(AppError::Unauthenticated));
        let tampered =
            headers(&[("x-shopify-hmac-sha256", &sign("new-secret", ORDER)), ("x-shopify-topic", "orders/create")]);
        assert_eq!(read(&shopify, &tampered, br#"{"id": 1}"#), Err(AppError::Unauthenticated));
        let mut without = channel(ChannelKind::Shopify);
        without.secrets.clear();
        let signed =
            headers(&[("x-shopify-hmac-sha256", &sign("new-secret", ORDER)), ("x-shopify-topic", "orders/create")]);
        assert_eq!(read(&without, &signed, ORDER), Err(AppError::Unauthenticated));
    }

    #[test]
    fn woocommerce_pings_are_answered_and_its_deliveries_verified_with_the_decoded_secret() {
        let mut woo = channel(ChannelKind::WooCommerce);
        assert_eq!(read(&woo, &HeaderMap::new(), b"webhook_id=15").unwrap(), Read::Ping);
        woo.secrets = vec!["a&amp;b".into()];
        let body = br#"{"id": 727}"#;
        let h = headers(&[
            ("x-wc-webhook-signature", &sign("a&b", body)),
            ("x-wc-webhook-topic", "order.created"),
            ("x-wc-webhook-delivery-id", "9a1b"),
        ]);
        let Read::Delivery(d) = read(&woo, &h, body).unwrap() else { panic!() };
        assert_eq!((d.topic.as_str(), d.dedupe_key.as_str()), ("order.created", "id:9a1b"));
        let unsigned = headers(&[("x-wc-webhook-topic", "order.created")]);
        assert_eq!(read(&woo, &unsigned, body), Err(AppError::Unauthenticated));
    }

    #[test]
    fn bigcommerce_needs_its_secret_header_and_dedupes_on_the_hash() {
        let big = channel(ChannelKind::BigCommerce);
        let body = br#"{"scope": "store/order/created", "store_id": "1025646", "data": {"type": "order", "id": 250}, "hash": "dd70c0976e06b67aaf671e73f49dcb79230ebf9d", "created_at": 1561479335, "producer": "stores/{store_hash}"}"#;
        let h = headers(&[("x-webhook-secret", "old-secret")]);
        let Read::Delivery(d) = read(&big, &h, body).unwrap() else { panic!() };
        assert_eq!(d.topic, "store/order/created");
        assert_eq!(d.dedupe_key, "id:dd70c0976e06b67aaf671e73f49dcb79230ebf9d");
        assert_eq!(read(&big, &headers(&[("x-webhook-secret", "nope")]), body), Err(AppError::Unauthenticated));
        assert_eq!(read(&big, &HeaderMap::new(), body), Err(AppError::Unauthenticated));
    }

    #[test]
    fn other_topics_are_answered_and_ignored_and_bodies_without_an_id_hash_to_one_key() {
        let shopify = channel(ChannelKind::Shopify);
        let h =
            headers(&[("x-shopify-hmac-sha256", &sign("new-secret", ORDER)), ("x-shopify-topic", "products/update")]);
        assert_eq!(read(&shopify, &h, ORDER).unwrap(), Read::Ignored("products/update".into()));
        let h = headers(&[("x-shopify-hmac-sha256", &sign("new-secret", ORDER)), ("x-shopify-topic", "orders/paid")]);
        let (Read::Delivery(a), Read::Delivery(b)) =
            (read(&shopify, &h, ORDER).unwrap(), read(&shopify, &h, ORDER).unwrap())
        else {
            panic!()
        };
        assert!(a.dedupe_key.starts_with("sha256:"));
        assert_eq!(a.dedupe_key, b.dedupe_key);
    }
}
