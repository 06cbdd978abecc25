//! Channels: where orders, messages and customers come from — a shop, a marketplace, the point of sale,
//! the team adding a customer by hand. Each channel of a workspace has a key of the workspace's choosing
//! and one of these kinds.

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
