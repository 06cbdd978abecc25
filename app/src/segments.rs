//! Segments: the six built-in ones of SPEC §3, with stored memberships kept current by `db`.

#[cfg(feature = "ssr")]
mod db;

#[cfg(feature = "ssr")]
pub use db::{SEGMENTS_LOCK, months_before, refresh_all, refresh_customers, refresh_vip};
#[cfg(feature = "ssr")]
pub mod vip;

use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// The six built-in segments of SPEC §3, in the order they are shown; the customer row keeps a bit
    /// for each, in this order (`customer.builtin_segments`, SQL's `segment_flag`, migration `list_flags`).
    pub enum BuiltinSegment {
        Vip = "vip", "VIP";
        RepeatCustomer = "repeat_customer", "Repeat customer";
        ActiveCustomer = "active_customer", "Active customer";
        NewCustomer = "new_customer", "New customer";
        NewContact = "new_contact", "New contact";
        RepeatContact = "repeat_contact", "Repeat contact";
    }
}

impl BuiltinSegment {
    /// The customer row's bit for the segment.
    pub fn flag(self) -> i32 {
        1 << (self as i32)
    }

    /// What the segment's rule implies for the customer's own figures, as SQL on the customer row `c`:
    /// the list adds it to the segment's flag so that a sort by those figures seeks past the customers
    /// who cannot be members (most flags keep no index of their own on every sort, migration
    /// `fewer_flag_indexes`). A flag a write has not yet caught up with is left out, as it should be.
    pub fn implied(self) -> &'static str {
        match self {
            BuiltinSegment::Vip => "c.order_count >= 1 and c.total_order_value > 0",
            BuiltinSegment::RepeatCustomer => "c.order_count >= 2",
            BuiltinSegment::ActiveCustomer => "c.order_count >= 3",
            BuiltinSegment::NewCustomer => "c.order_count >= 1",
            BuiltinSegment::NewContact | BuiltinSegment::RepeatContact => "c.order_count = 0",
        }
    }

    /// Whether the rule takes only customers without a counted order (contacts).
    pub fn without_orders(self) -> bool {
        matches!(self, BuiltinSegment::NewContact | BuiltinSegment::RepeatContact)
    }
}

/// A segment's key, as the list's URL and the API name it: a built-in segment's, or one of the
/// workspace's own segments'.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SegmentKey(String);

impl SegmentKey {
    pub fn new(key: impl Into<String>) -> Self {
        SegmentKey(key.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The built-in segment with this key, if it is one.
    pub fn builtin(&self) -> Option<BuiltinSegment> {
        BuiltinSegment::parse(&self.0)
    }
}

impl PartialEq<&str> for SegmentKey {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// The name people read for a segment key (a built-in segment's; any other key as it is).
pub fn name(key: &str) -> &str {
    BuiltinSegment::parse(key).map_or(key, |segment| segment.label())
}
