//! Amazon's Selling Partner API, Orders v0, as the poller reads it: a Login with Amazon access token from
//! the channel's refresh token, then `getOrders` (orders updated since the cursor, a page at a time with
//! `NextToken`), and per order `getOrderItems` (paged too), `getOrderAddress` and `getOrderBuyerInfo`. Each
//! operation's rate is kept to what Amazon says in `x-amzn-RateLimit-Limit`; a 429 is waited out, backing
//! off. Amazon has no webhooks for self-hosted sellers: this is how its orders arrive.

use super::AmazonCredentials;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// What went wrong talking to Amazon, in words for the seller; with the HTTP status Amazon answered.
#[derive(Debug, Clone, PartialEq)]
pub struct SpApiError {
    pub status: Option<u16>,
    pub message: String,
}

impl SpApiError {
    fn new(message: impl Into<String>) -> Self {
        SpApiError { status: None, message: message.into() }
    }
}

impl std::fmt::Display for SpApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Tries of one request that Amazon answers 429 before the run gives up (the next run resumes).
const THROTTLED_TRIES: u32 = 6;
/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A signed-in session with one marketplace's Orders API.
pub struct SpApi {
    client: reqwest::Client,
    base_url: String,
    marketplace_id: String,
    access_token: String,
    /// When each operation may next be called, from the rates Amazon announces.
    next_call: HashMap<&'static str, Instant>,
    /// The shortest wait after a 429 (tests shorten it).
    throttle_wait: Duration,
}

/// One page of `getOrders`.
pub struct OrdersPage {
    pub orders: Vec<Value>,
    pub next_token: Option<String>,
    /// The upper bound of the window Amazon searched (`LastUpdatedBefore`), when it says.
    pub updated_before: Option<DateTime<Utc>>,
}

impl SpApi {
    /// Signs in with the channel's Login with Amazon credentials.
    pub async fn sign_in(
        client: reqwest::Client,
        base_url: &str,
        credentials: &AmazonCredentials,
        throttle_wait: Duration,
    ) -> Result<SpApi, SpApiError> {
        let token_url = credentials.token_url.as_deref().unwrap_or(super::AMAZON_TOKEN_URL);
        let answer = client
            .post(token_url)
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", credentials.refresh_token.as_str()),
                ("client_id", credentials.client_id.as_str()),
                ("client_secret", credentials.client_secret.as_str()),
            ])
            .timeout(TIMEOUT)
            .send()
            .await
            .map_err(|e| SpApiError::new(format!("Login with Amazon could not be reached: {e}")))?;
        let status = answer.status();
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        let token = body.get("access_token").and_then(Value::as_str).filter(|_| status.is_success());
        let Some(token) = token else {
            let why = body.get("error_description").or_else(|| body.get("error")).and_then(Value::as_str).unwrap_or("");
            return Err(SpApiError::new(format!(
                "Login with Amazon refused the channel's credentials ({status}{}{why}): check the client id, secret and refresh token",
                if why.is_empty() { "" } else { ": " }
            )));
        };
        Ok(SpApi {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            marketplace_id: credentials.marketplace_id.clone(),
            access_token: token.to_string(),
            next_call: HashMap::new(),
            throttle_wait,
        })
    }

    /// Orders updated after `after`, or the page `next_token` names.
    pub async fn orders(&mut self, after: DateTime<Utc>, next_token: Option<&str>) -> Result<OrdersPage, SpApiError> {
        let mut query = vec![("MarketplaceIds", self.marketplace_id.clone())];
        match next_token {
            Some(token) => query.push(("NextToken", token.to_string())),
            None => {
                query.push(("LastUpdatedAfter", after.to_rfc3339_opts(SecondsFormat::Secs, true)));
                query.push(("MaxResultsPerPage", "100".into()));
            }
        }
        let payload = self.get("getOrders", "/orders/v0/orders", &query).await?.unwrap_or_default();
        let orders = payload.get("Orders").and_then(Value::as_array).cloned().unwrap_or_default();
        let text = |key: &str| payload.get(key).and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_string);
        Ok(OrdersPage {
            orders,
            next_token: text("NextToken"),
            updated_before: text("LastUpdatedBefore")
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.to_utc()),
        })
    }

    /// An order with its items, shipping address and buyer, in the shape the Amazon mapping reads. The
    /// address and the buyer need roles a seller may not have: without them, the order's own fields serve.
    pub async fn order_with_details(&mut self, order: Value) -> Result<Value, SpApiError> {
        let id = order.get("AmazonOrderId").and_then(Value::as_str).unwrap_or_default().to_string();
        if id.is_empty() {
            return Err(SpApiError::new("Amazon sent an order without an AmazonOrderId"));
        }
        let mut items = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let query: Vec<(&str, String)> = next_token.iter().map(|t| ("NextToken", t.clone())).collect();
            let path = format!("/orders/v0/orders/{id}/orderItems");
            let payload = self.get("getOrderItems", &path, &query).await?.unwrap_or_default();
            items.extend(payload.get("OrderItems").and_then(Value::as_array).cloned().unwrap_or_default());
            next_token = payload.get("NextToken").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_string);
            if next_token.is_none() {
                break;
            }
        }
        let address = self.optional("getOrderAddress", &format!("/orders/v0/orders/{id}/address")).await?;
        let buyer = self.optional("getOrderBuyerInfo", &format!("/orders/v0/orders/{id}/buyerInfo")).await?;
        Ok(json!({"order": order, "items": items, "address": address, "buyer": buyer}))
    }

    /// A call whose data needs a role the seller may lack: `None` when Amazon refuses it.
    async fn optional(&mut self, operation: &'static str, path: &str) -> Result<Option<Value>, SpApiError> {
        match self.get(operation, path, &[]).await {
            Ok(payload) => Ok(payload),
            Err(SpApiError { status: Some(403 | 404), .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// One GET: its `payload`; waits for the operation's rate and out a 429, backing off.
    async fn get(
        &mut self,
        operation: &'static str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Option<Value>, SpApiError> {
        let mut wait = self.throttle_wait;
        for _ in 0..THROTTLED_TRIES {
            if let Some(at) = self.next_call.get(operation) {
                tokio::time::sleep_until((*at).into()).await;
            }
            let answer = self
                .client
                .get(format!("{}{path}", self.base_url))
                .query(query)
                .header("x-amz-access-token", &self.access_token)
                .header("accept", "application/json")
                .timeout(TIMEOUT)
                .send()
                .await
                .map_err(|e| SpApiError::new(format!("Amazon's API could not be reached: {e}")))?;
            let rate = answer
                .headers()
                .get("x-amzn-ratelimit-limit")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|rate| *rate > 0.0);
            if let Some(rate) = rate {
                let interval = Duration::from_secs_f64((1.0 / rate).min(120.0));
                self.next_call.insert(operation, Instant::now() + interval);
            }
            let status = answer.status();
            if status.as_u16() == 429 {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(60));
                continue;
            }
            let body: Value = answer.json().await.unwrap_or(Value::Null);
            if !status.is_success() {
                let why = body
                    .pointer("/errors/0/message")
                    .and_then(Value::as_str)
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default();
                let message = format!("Amazon's {operation} answered {status}{why}");
                return Err(SpApiError { status: Some(status.as_u16()), message });
            }
            return Ok(body.get("payload").cloned());
        }
        Err(SpApiError::new(format!("Amazon kept asking us to slow down ({operation}); the next run goes on")))
    }
}
