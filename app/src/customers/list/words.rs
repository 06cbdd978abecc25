//! A view of the list in words, for where its URL would be read by people (the exports page):
//! "Segment: VIP · Orders: 15 or more · Search: “anna” · Sorted by name, Z to A".

use super::query::{CustomerQuery, Mark, SentimentFilter, SortKey};
use crate::ui::format;
use rust_decimal::Decimal;
use std::fmt::Display;

impl CustomerQuery {
    /// The filters, search and sort in words ("Everyone" when nothing narrows the list); `manager` names a
    /// member by user id, `currency` is the workspace's.
    pub fn in_words(&self, manager: impl Fn(i64) -> String, currency: &str) -> String {
        let mut parts = Vec::new();
        if !self.segments.is_empty() {
            let names: Vec<&str> = self.segments.iter().map(|s| crate::segments::name(s.as_str())).collect();
            let noun = if names.len() == 1 { "Segment" } else { "Segments" };
            parts.push(format!("{noun}: {}", names.join(", ")));
        }
        if !self.channels.is_empty() {
            let noun = if self.channels.len() == 1 { "Channel" } else { "Channels" };
            parts.push(format!("{noun}: {}", self.channels.join(", ")));
        }
        if let Some(mood) = self.sentiment {
            let word = match mood {
                SentimentFilter::Positive => "positive",
                SentimentFilter::Neutral => "neutral",
                SentimentFilter::Negative => "negative",
                SentimentFilter::Unknown => "no messages yet",
            };
            parts.push(format!("Mood: {word}"));
        }
        if let Some(registered) = self.registered {
            parts.push(if registered { "Registered" } else { "Guests" }.to_string());
        }
        let money = |amount: Decimal| format::money(amount, currency);
        if let Some(range) = range(self.tov_min.map(money), self.tov_max.map(money)) {
            parts.push(format!("Total order value: {range}"));
        }
        if let Some(range) =
            range(self.orders_min.map(|n| format::count(n.into())), self.orders_max.map(|n| format::count(n.into())))
        {
            parts.push(format!("Orders: {range}"));
        }
        match (self.purchased_from, self.purchased_to) {
            (Some(from), Some(to)) => {
                parts.push(format!("Bought from {} to {}", format::date(from), format::date(to)));
            }
            (Some(from), None) => parts.push(format!("Bought on {} or later", format::date(from))),
            (None, Some(to)) => parts.push(format!("Bought on {} or earlier", format::date(to))),
            (None, None) => {}
        }
        if self.open_tickets {
            parts.push("With open tickets".to_string());
        }
        if let Some(mark) = self.mark {
            parts.push(match mark {
                Mark::Vip => "Marked VIP".to_string(),
                Mark::Bad => "Marked BAD".to_string(),
            });
        }
        if let Some(id) = self.manager {
            parts.push(format!("Manager: {}", manager(id)));
        }
        parts.extend(self.fields.iter().map(|(key, value)| format!("{key}: {value}")));
        if let Some(q) = self.search() {
            parts.push(format!("Search: “{q}”"));
        }
        if parts.is_empty() {
            parts.push("Everyone".to_string());
        }
        if self.sort != Default::default() {
            let (what, up, down) = match self.sort.key {
                SortKey::LatestPurchase => ("latest purchase", "oldest first", "newest first"),
                SortKey::Name => ("name", "A to Z", "Z to A"),
                SortKey::TotalOrderValue => ("total order value", "lowest first", "highest first"),
                SortKey::Orders => ("orders", "fewest first", "most first"),
                SortKey::AverageOrderValue => ("average order value", "lowest first", "highest first"),
                SortKey::CustomerSince => ("customer since", "oldest first", "newest first"),
                SortKey::RegisteredAt => ("registration", "oldest first", "newest first"),
            };
            parts.push(format!("Sorted by {what}, {}", if self.sort.descending { down } else { up }));
        }
        parts.join(" · ")
    }
}

/// "10 to 20", "10 or more", "20 or less".
fn range(min: Option<impl Display>, max: Option<impl Display>) -> Option<String> {
    match (min, max) {
        (Some(min), Some(max)) => Some(format!("{min} to {max}")),
        (Some(min), None) => Some(format!("{min} or more")),
        (None, Some(max)) => Some(format!("{max} or less")),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(url: &str) -> String {
        let pairs: Vec<(&str, &str)> = url.split('&').filter_map(|p| p.split_once('=')).collect();
        let query = CustomerQuery::from_pairs(pairs).unwrap();
        query.in_words(|id| format!("ann{id}@shop.example"), "USD")
    }

    #[test]
    fn a_view_reads_as_words() {
        assert_eq!(words(""), "Everyone");
        assert_eq!(words("sort=-latest_purchase"), "Everyone", "the default order goes without saying");
        assert_eq!(words("sort=name"), "Everyone · Sorted by name, A to Z");
        assert_eq!(
            words(
                "segment=vip&segment=repeat_customer&tov_min=300&tov_max=500&orders_min=15&manager=7&q=anna&sort=-tov"
            ),
            "Segments: VIP, Repeat customer · Total order value: $300.00 to $500.00 · Orders: 15 or more · \
             Manager: ann7@shop.example · Search: “anna” · Sorted by total order value, highest first"
        );
        assert_eq!(
            words("registered=false&mark=bad&open_tickets=true&sentiment=none&purchased_from=2026-01-01"),
            "Mood: no messages yet · Guests · Bought on 1 Jan 2026 or later · With open tickets · Marked BAD"
        );
    }
}
