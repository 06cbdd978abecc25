//! Segments: the six built-in ones of SPEC §3, with stored memberships kept current by `db`.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod vip;

/// Key and name of the built-in segments, in the order they are shown.
pub const BUILTIN: [(&str, &str); 6] = [
    ("vip", "VIP"),
    ("repeat_customer", "Repeat customer"),
    ("active_customer", "Active customer"),
    ("new_customer", "New customer"),
    ("new_contact", "New contact"),
    ("repeat_contact", "Repeat contact"),
];

/// The customer row's bit for a built-in segment (`customer.builtin_segments`): one per segment, in the
/// order of `BUILTIN`, as SQL's `segment_flag` gives it (migration `list_flags`).
pub fn flag(key: &str) -> Option<i32> {
    BUILTIN.iter().position(|(k, _)| *k == key).map(|i| 1 << i)
}

/// What the rule of a built-in segment implies for the customer's own figures, as SQL on the customer
/// row `c`: the list adds it to the segment's flag so that a sort by those figures seeks past the
/// customers who cannot be members (most flags keep no index of their own on every sort, migration
/// `fewer_flag_indexes`). A flag a write has not yet caught up with is left out, as it should be.
pub fn implied_by(key: &str) -> Option<&'static str> {
    match key {
        "vip" => Some("c.order_count >= 1 and c.total_order_value > 0"),
        "repeat_customer" => Some("c.order_count >= 2"),
        "active_customer" => Some("c.order_count >= 3"),
        "new_customer" => Some("c.order_count >= 1"),
        key if without_orders(key) => Some("c.order_count = 0"),
        _ => None,
    }
}

/// Whether the rule of a built-in segment takes only customers without a counted order (contacts).
pub fn without_orders(key: &str) -> bool {
    matches!(key, "new_contact" | "repeat_contact")
}

/// The name people read for a segment key.
pub fn name(key: &str) -> &str {
    BUILTIN.iter().find(|(k, _)| *k == key).map_or(key, |(_, name)| name)
}
