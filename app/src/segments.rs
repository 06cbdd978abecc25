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

/// The name people read for a segment key.
pub fn name(key: &str) -> &str {
    BUILTIN.iter().find(|(k, _)| *k == key).map_or(key, |(_, name)| name)
}
