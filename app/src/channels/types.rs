//! A channel as its settings show it, and what a seller writes to connect one.

use super::ChannelKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A channel on the channels page: never its secret or credentials, only whether they are set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelView {
    pub id: i64,
    pub key: String,
    pub kind: ChannelKind,
    pub name: String,
    pub active: bool,
    /// `/hooks/<token>`: where the platform sends its webhooks (Shopify, WooCommerce, BigCommerce); none
    /// for a channel first seen in an order until it is connected.
    pub hook_path: Option<String>,
    /// The secret's last four characters, to tell which one is set.
    pub secret_hint: Option<String>,
    pub api_base_url: Option<String>,
    pub has_credentials: bool,
    pub last_received_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// Deliveries received and not yet worked through.
    pub waiting: i64,
    /// Deliveries that could not be worked through.
    pub failed: i64,
}

/// What a seller gives to add or change a channel's connection. Blank secret and credentials keep the
/// stored ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    pub name: String,
    pub secret: Option<String>,
    pub api_base_url: Option<String>,
    /// BigCommerce: the API account's access token.
    pub access_token: Option<String>,
    /// Amazon: the marketplace and the Login with Amazon application and refresh token.
    pub amazon: Option<AmazonCredentials>,
}

/// What the Amazon SP-API poller signs in with (Login with Amazon) and where it reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmazonCredentials {
    pub marketplace_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    /// Login with Amazon's token endpoint; Amazon's own when left out.
    pub token_url: Option<String>,
}

/// Login with Amazon's token endpoint.
pub const AMAZON_TOKEN_URL: &str = "https://api.amazon.com/auth/o2/token";
