//! BigCommerce's webhooks name the order only: the order, its products and its shipping addresses are
//! read from the store's API (`GET {base}/v2/orders/{id}`, `/products`, `/shipping_addresses`, with the
//! API account's `X-Auth-Token`) and put together in the shape its mapping reads.

use serde_json::{Value, json};
use std::time::Duration;

/// What became of a fetch that did not bring the order.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// It will not come however often we ask (the store has no such order, the channel is not set up).
    Never(String),
    /// It may come later (the store's API away, busy, or refusing the token until the seller fixes it).
    Later(String),
}

/// How long one request to the store may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The order `id` with `products` and `shipping_addresses` inlined.
pub async fn fetch_order(
    client: &reqwest::Client,
    base_url: Option<&str>,
    credentials: Option<&Value>,
    id: &Value,
) -> Result<Value, FetchError> {
    let base = base_url.ok_or_else(|| {
        FetchError::Never("the channel has no API address: set the store's API base URL in its settings".into())
    })?;
    let token = credentials.and_then(|c| c.get("access_token")).and_then(Value::as_str).ok_or_else(|| {
        FetchError::Never("the channel has no access token: set the API account's token in its settings".into())
    })?;
    let id = match id {
        Value::Number(n) if n.is_u64() => n.to_string(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.clone(),
        other => return Err(FetchError::Never(format!("the delivery's data.id {other} is not an order id"))),
    };
    let order_url = format!("{base}/v2/orders/{id}");
    let mut order = get(client, &order_url, token)
        .await?
        .ok_or_else(|| FetchError::Never(format!("the store has no order {id}")))?;
    let products = get(client, &format!("{order_url}/products"), token).await?.unwrap_or_else(|| json!([]));
    let addresses = get(client, &format!("{order_url}/shipping_addresses"), token).await?.unwrap_or_else(|| json!([]));
    let Some(fields) = order.as_object_mut() else {
        return Err(FetchError::Never(format!("the store answered order {id} with something else than an order")));
    };
    fields.insert("products".into(), products);
    fields.insert("shipping_addresses".into(), addresses);
    Ok(order)
}

/// One GET: the JSON, `None` for 404 or an empty answer (204: an order without products).
async fn get(client: &reqwest::Client, url: &str, token: &str) -> Result<Option<Value>, FetchError> {
    let later = |e: reqwest::Error| FetchError::Later(format!("the store's API could not be reached: {e}"));
    let answer = client
        .get(url)
        .header("X-Auth-Token", token)
        .header("Accept", "application/json")
        .timeout(TIMEOUT)
        .send()
        .await
        .map_err(later)?;
    let status = answer.status();
    match status.as_u16() {
        200 => answer
            .json::<Value>()
            .await
            .map(Some)
            .map_err(|e| FetchError::Later(format!("the store's API answered something unreadable: {e}"))),
        204 | 404 => Ok(None),
        401 | 403 => Err(FetchError::Later(format!(
            "the store refused the access token ({status}): check the API account's token and scopes"
        ))),
        429 => Err(FetchError::Later("the store's API asked us to slow down (429)".into())),
        _ => Err(FetchError::Later(format!("the store's API answered {status}"))),
    }
}
