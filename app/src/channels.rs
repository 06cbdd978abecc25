//! Channels: where orders, messages and customers come from — a shop, a marketplace, the point of sale,
//! the team adding a customer by hand. Each channel of a workspace has a key of the workspace's choosing
//! and one of these kinds. A connected shop (SPEC §11) also has a webhook address with a secret, and what
//! its platform's API needs.

#[cfg(feature = "ssr")]
pub mod amazon;
pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod poller;
pub mod settings;
pub mod types;

pub use types::*;

crate::vocabulary! {
    /// What a channel is (`channel.kind`).
    pub enum ChannelKind {
        Shopify = "shopify", "Shopify";
        Amazon = "amazon", "Amazon";
        Ebay = "ebay", "eBay";
        WooCommerce = "woocommerce", "WooCommerce";
        BigCommerce = "bigcommerce", "BigCommerce";
        Website = "website", "Website";
        Pos = "pos", "Point of sale";
        Manual = "manual", "Added by hand";
        Other = "other", "Other";
    }
}

impl ChannelKind {
    /// Whether the platform pushes its orders to a webhook address of ours.
    pub fn sends_webhooks(self) -> bool {
        matches!(self, ChannelKind::Shopify | ChannelKind::WooCommerce | ChannelKind::BigCommerce)
    }

    /// Whether orders are read from the platform's API (a webhook's thin body, or a poller).
    pub fn reads_api(self) -> bool {
        matches!(self, ChannelKind::BigCommerce | ChannelKind::Amazon)
    }
}

/// What a channel key may be: lower-case letters, digits, `-`, `_` and `.`, starting with a letter or a
/// digit, at most 64 characters.
pub fn is_channel_key(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

/// What to say about a key that is not one.
pub const CHANNEL_KEY_HINT: &str =
    "use lower-case letters, digits, '-', '_' and '.', starting with a letter or digit, e.g. \"amazon-de\"";
