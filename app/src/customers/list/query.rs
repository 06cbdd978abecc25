//! What the customer list is asked for (SPEC §4): every filter, the sort and the page, read from and
//! written back to the URL parameters that the list screen and `GET /api/v1/customers` share, so a
//! shared URL opens the same view and the API never disagrees with the screen.

use crate::checks::{MAX_YEAR, MIN_YEAR};
use crate::error::FieldError;
use crate::segments::SegmentKey;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// The columns the list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    LatestPurchase,
    Name,
    TotalOrderValue,
    Orders,
    AverageOrderValue,
    CustomerSince,
    RegisteredAt,
}

impl SortKey {
    pub const ALL: [SortKey; 7] = [
        SortKey::LatestPurchase,
        SortKey::Name,
        SortKey::TotalOrderValue,
        SortKey::Orders,
        SortKey::AverageOrderValue,
        SortKey::CustomerSince,
        SortKey::RegisteredAt,
    ];

    /// The name in the URL (`sort=tov`, `sort=-tov`).
    pub fn param(self) -> &'static str {
        match self {
            SortKey::LatestPurchase => "latest_purchase",
            SortKey::Name => "name",
            SortKey::TotalOrderValue => "tov",
            SortKey::Orders => "orders",
            SortKey::AverageOrderValue => "aov",
            SortKey::CustomerSince => "customer_since",
            SortKey::RegisteredAt => "registered_at",
        }
    }
}

/// A sort key and its direction. The default is the order of SPEC §3: latest purchase, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort { key: SortKey::LatestPurchase, descending: true }
    }
}

impl Sort {
    pub fn parse(text: &str) -> Option<Sort> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, text),
        };
        SortKey::ALL.into_iter().find(|k| k.param() == name).map(|key| Sort { key, descending })
    }

    pub fn param(self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.key.param())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SentimentFilter {
    Positive,
    Neutral,
    Negative,
    /// No scored message yet.
    Unknown,
}

impl SentimentFilter {
    pub const ALL: [SentimentFilter; 4] =
        [SentimentFilter::Positive, SentimentFilter::Neutral, SentimentFilter::Negative, SentimentFilter::Unknown];

    pub fn param(self) -> &'static str {
        match self {
            SentimentFilter::Positive => "positive",
            SentimentFilter::Neutral => "neutral",
            SentimentFilter::Negative => "negative",
            SentimentFilter::Unknown => "none",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    Vip,
    Bad,
}

impl Mark {
    pub fn param(self) -> &'static str {
        match self {
            Mark::Vip => "vip",
            Mark::Bad => "bad",
        }
    }
}

/// The longest search, or value of a custom-field filter.
pub const MAX_TEXT: usize = 200;
/// The most values of one repeatable filter (segments, channels, custom fields).
pub const MAX_REPEATS: usize = 20;
/// The longest page link (`after`, `before`); real ones are far shorter.
pub const MAX_CURSOR: usize = 1024;

/// The list's URL parameters: the one place their names are written. The parser and the writer below,
/// the filter form and the API's document (`PARAMETERS`) all use them.
pub mod param {
    pub const SEARCH: &str = "q";
    pub const SEGMENT: &str = "segment";
    pub const CHANNEL: &str = "channel";
    pub const SENTIMENT: &str = "sentiment";
    pub const REGISTERED: &str = "registered";
    pub const TOV_MIN: &str = "tov_min";
    pub const TOV_MAX: &str = "tov_max";
    pub const ORDERS_MIN: &str = "orders_min";
    pub const ORDERS_MAX: &str = "orders_max";
    pub const PURCHASED_FROM: &str = "purchased_from";
    pub const PURCHASED_TO: &str = "purchased_to";
    pub const OPEN_TICKETS: &str = "open_tickets";
    pub const MARK: &str = "mark";
    pub const MANAGER: &str = "manager";
    pub const SORT: &str = "sort";
    pub const LIMIT: &str = "limit";
    pub const AFTER: &str = "after";
    pub const BEFORE: &str = "before";
    /// Before a custom field's key: `field.loyalty_tier=Gold`.
    pub const FIELD: &str = "field.";
}

/// What a parameter's value is, as the API's document types it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterValue {
    /// Free text, at most this long.
    Text(Option<usize>),
    /// A key; repeated for any of several, at most `MAX_REPEATS` times.
    Keys,
    /// A decimal amount of at least 0.
    Amount,
    Boolean,
    /// A whole number (32 bits) of at least 0.
    Count,
    /// An id (64 bits) of at least 1.
    Id,
    /// Customers a page: 1 to `MAX_LIMIT`.
    Limit,
    Date,
}

/// One parameter of the list as the API's document describes it.
#[derive(Debug, Clone, Copy)]
pub struct Parameter {
    pub name: &'static str,
    pub value: ParameterValue,
    pub description: &'static str,
}

/// Every parameter of the list but the custom fields', in the document's order.
pub const PARAMETERS: [Parameter; 18] = {
    use ParameterValue::*;
    use param::*;
    const fn p(name: &'static str, value: ParameterValue, description: &'static str) -> Parameter {
        Parameter { name, value, description }
    }
    [
        p(SEARCH, Text(Some(MAX_TEXT)), "Search over name, email, phone (any format) and order number; forgives typos"),
        p(
            SEGMENT,
            Keys,
            "Segment key (vip, repeat_customer, active_customer, new_customer, new_contact, repeat_contact); repeat for any of several",
        ),
        p(CHANNEL, Keys, "Channel key; repeat for any of several"),
        p(SENTIMENT, Text(None), "positive, neutral, negative or none"),
        p(REGISTERED, Boolean, "true: registered customers; false: guests"),
        p(TOV_MIN, Amount, "Total order value at least (decimal)"),
        p(TOV_MAX, Amount, "Total order value at most (decimal)"),
        p(ORDERS_MIN, Count, "Counted orders at least"),
        p(ORDERS_MAX, Count, "Counted orders at most"),
        p(PURCHASED_FROM, Date, "Latest purchase on or after this day (workspace time zone)"),
        p(PURCHASED_TO, Date, "Latest purchase on or before this day (workspace time zone)"),
        p(OPEN_TICKETS, Boolean, "true: customers with a ticket to do or waiting"),
        p(MARK, Text(None), "vip or bad: customers staff marked so"),
        p(MANAGER, Id, "User id of the assigned manager"),
        p(
            SORT,
            Text(None),
            "latest_purchase, name, tov, orders, aov, customer_since or registered_at; - before it for descending (default -latest_purchase); orders and tov break each other's ties, aov's by tov",
        ),
        p(LIMIT, Limit, "Customers per page, 1 to 200 (default 50)"),
        p(AFTER, Text(Some(MAX_CURSOR)), "Cursor: the page after (`next` of a page)"),
        p(BEFORE, Text(Some(MAX_CURSOR)), "Cursor: the page before (`previous` of a page)"),
    ]
};

/// The list's URL query. Repeated values of one filter (two segments, two channels) mean "any of them";
/// different filters all apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerQuery {
    pub q: Option<String>,
    pub segments: Vec<SegmentKey>,
    pub channels: Vec<String>,
    pub sentiment: Option<SentimentFilter>,
    pub registered: Option<bool>,
    pub tov_min: Option<Decimal>,
    pub tov_max: Option<Decimal>,
    pub orders_min: Option<i32>,
    pub orders_max: Option<i32>,
    pub purchased_from: Option<NaiveDate>,
    pub purchased_to: Option<NaiveDate>,
    pub open_tickets: bool,
    pub mark: Option<Mark>,
    pub manager: Option<i64>,
    /// Custom fields (`field.<key>=<value>`), in the order given: a text field containing the value, a
    /// number or date equal to it, yes/no (`true`/`false`), a choice by its label.
    pub fields: Vec<(String, String)>,
    pub sort: Sort,
    pub limit: Option<i64>,
    /// The page after this cursor (the "Next page").
    pub after: Option<String>,
    /// The page before this cursor (the "Previous page").
    pub before: Option<String>,
}

impl CustomerQuery {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }

    /// The search text, trimmed; none when blank.
    pub fn search(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// Whether anything narrows the list (search aside).
    pub fn has_filters(&self) -> bool {
        let plain = CustomerQuery { q: self.q.clone(), sort: self.sort, limit: self.limit, ..Default::default() };
        CustomerQuery { after: None, before: None, ..self.clone() } != plain
    }

    /// The same view from its first page.
    pub fn first_page(&self) -> CustomerQuery {
        CustomerQuery { after: None, before: None, ..self.clone() }
    }

    /// Reads the URL parameters; every bad one is named, with what is wrong. Unknown parameters (such as
    /// `c`, the open customer) are left to others.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, Vec<FieldError>> {
        let mut query = CustomerQuery::default();
        let mut errors = Vec::new();
        let mut fail = |name: &str, message: &str| {
            errors.push(FieldError { path: name.to_string(), message: message.to_string() });
        };
        for (name, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                // an empty form field means "no filter"
                continue;
            }
            match name {
                param::SEARCH => query.q = Some(value.to_string()),
                param::SEGMENT => query.segments.push(SegmentKey::new(value)),
                param::CHANNEL => query.channels.push(value.to_string()),
                param::SENTIMENT => match SentimentFilter::ALL.into_iter().find(|s| s.param() == value) {
                    Some(s) => query.sentiment = Some(s),
                    None => fail(name, "use positive, neutral, negative or none"),
                },
                param::REGISTERED => match value {
                    "true" => query.registered = Some(true),
                    "false" => query.registered = Some(false),
                    _ => fail(name, "use true or false"),
                },
                param::TOV_MIN | param::TOV_MAX => match value.parse::<Decimal>() {
                    Ok(amount) if amount >= Decimal::ZERO => {
                        *(if name == param::TOV_MIN { &mut query.tov_min } else { &mut query.tov_max }) = Some(amount)
                    }
                    _ => fail(name, "use an amount such as 100 or 99.50"),
                },
                param::ORDERS_MIN | param::ORDERS_MAX => match value.parse::<i32>() {
                    Ok(n) if n >= 0 => {
                        *(if name == param::ORDERS_MIN { &mut query.orders_min } else { &mut query.orders_max }) =
                            Some(n)
                    }
                    _ => fail(name, "use a whole number, 0 or more"),
                },
                param::PURCHASED_FROM | param::PURCHASED_TO => match value.parse::<NaiveDate>() {
                    Ok(day) if (MIN_YEAR..=MAX_YEAR).contains(&day.year()) => {
                        *(if name == param::PURCHASED_FROM {
                            &mut query.purchased_from
                        } else {
                            &mut query.purchased_to
                        }) = Some(day)
                    }
                    Ok(_) => fail(name, &format!("use a date between the years {MIN_YEAR} and {MAX_YEAR}")),
                    Err(_) => fail(name, "use a date such as 2026-01-31"),
                },
                param::OPEN_TICKETS => match value {
                    "true" => query.open_tickets = true,
                    "false" => query.open_tickets = false,
                    _ => fail(name, "use true"),
                },
                param::MARK => match value {
                    "vip" => query.mark = Some(Mark::Vip),
                    "bad" => query.mark = Some(Mark::Bad),
                    _ => fail(name, "use vip or bad"),
                },
                param::MANAGER => match value.parse::<i64>() {
                    Ok(id) if id > 0 => query.manager = Some(id),
                    _ => fail(name, "use a user id"),
                },
                param::SORT => match Sort::parse(value) {
                    Some(sort) => query.sort = sort,
                    None => fail(
                        name,
                        "use latest_purchase, name, tov, orders, aov, customer_since or registered_at, with - before \
                         it for descending",
                    ),
                },
                param::LIMIT => match value.parse::<i64>() {
                    Ok(n) if (1..=MAX_LIMIT).contains(&n) => query.limit = Some(n),
                    _ => fail(name, &format!("use a whole number from 1 to {MAX_LIMIT}")),
                },
                param::AFTER => query.after = Some(value.to_string()),
                param::BEFORE => query.before = Some(value.to_string()),
                _ => {
                    if let Some(key) = name.strip_prefix(param::FIELD) {
                        let is_key = key.len() <= 64
                            && key.starts_with(|c: char| c.is_ascii_lowercase())
                            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                        if is_key {
                            query.fields.push((key.to_string(), value.to_string()));
                        } else {
                            fail(name, "use field.<key> with the key of a custom field, e.g. field.loyalty_tier");
                        }
                    }
                }
            }
        }
        if let (Some(min), Some(max)) = (query.tov_min, query.tov_max)
            && min > max
        {
            fail(param::TOV_MAX, "must not be below tov_min");
        }
        if let (Some(min), Some(max)) = (query.orders_min, query.orders_max)
            && min > max
        {
            fail(param::ORDERS_MAX, "must not be below orders_min");
        }
        if let (Some(from), Some(to)) = (query.purchased_from, query.purchased_to)
            && from > to
        {
            fail(param::PURCHASED_TO, "must not be before purchased_from");
        }
        if query.after.is_some() && query.before.is_some() {
            fail(param::BEFORE, "use after or before, not both");
        }
        if errors.is_empty() {
            query.check()?;
            Ok(query)
        } else {
            Err(errors)
        }
    }

    /// The bounds every query keeps, however it arrived (a URL, or the list's server function, which
    /// takes the query as JSON): a search or a filter value of at most `MAX_TEXT` characters without NUL,
    /// at most `MAX_REPEATS` values of one filter, dates within `MIN_YEAR..=MAX_YEAR`, page links of at
    /// most `MAX_CURSOR` characters. A query within them is cheap enough to run on demand.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |name: &str, message: String| errors.push(FieldError { path: name.into(), message });
        let text_ok = |text: &str| text.chars().count() <= MAX_TEXT && !text.contains('\0');
        let text_rule = format!("use at most {MAX_TEXT} characters, without NUL characters");
        if self.q.as_deref().is_some_and(|q| !text_ok(q)) {
            fail(param::SEARCH, text_rule.clone());
        }
        let segments: Vec<&str> = self.segments.iter().map(SegmentKey::as_str).collect();
        let channels: Vec<&str> = self.channels.iter().map(String::as_str).collect();
        for (name, values) in [(param::SEGMENT, segments), (param::CHANNEL, channels)] {
            if values.len() > MAX_REPEATS {
                fail(name, format!("use at most {MAX_REPEATS} of them"));
            } else if values.iter().any(|v| v.chars().count() > 64 || v.contains('\0')) {
                fail(name, "use keys of at most 64 characters".into());
            }
        }
        if self.fields.len() > MAX_REPEATS {
            fail("field", format!("filter on at most {MAX_REPEATS} custom fields at once"));
        }
        for (key, value) in &self.fields {
            if key.len() > 64 || !text_ok(value) {
                fail(&format!("{}{key}", param::FIELD), text_rule.clone());
            }
        }
        for (name, day) in [(param::PURCHASED_FROM, self.purchased_from), (param::PURCHASED_TO, self.purchased_to)] {
            if day.is_some_and(|day| !(MIN_YEAR..=MAX_YEAR).contains(&day.year())) {
                fail(name, format!("use a date between the years {MIN_YEAR} and {MAX_YEAR}"));
            }
        }
        for (name, value) in [(param::TOV_MIN, self.tov_min), (param::TOV_MAX, self.tov_max)] {
            if value.is_some_and(|v| v.is_sign_negative() && !v.is_zero()) {
                fail(name, "use an amount such as 100 or 99.50".into());
            }
        }
        for (name, value) in [(param::ORDERS_MIN, self.orders_min), (param::ORDERS_MAX, self.orders_max)] {
            if value.is_some_and(|v| v < 0) {
                fail(name, "use a whole number, 0 or more".into());
            }
        }
        for (name, cursor) in [(param::AFTER, &self.after), (param::BEFORE, &self.before)] {
            if cursor.as_deref().is_some_and(|c| c.len() > MAX_CURSOR) {
                fail(name, "this page link is out of date or damaged: start again from the first page".into());
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The URL parameters of this query, defaults left out, in a stable order.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut optional = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((name.to_string(), value));
            }
        };
        optional(param::SEARCH, self.search().map(str::to_string));
        self.segments.iter().for_each(|s| optional(param::SEGMENT, Some(s.as_str().to_string())));
        self.channels.iter().for_each(|c| optional(param::CHANNEL, Some(c.clone())));
        optional(param::SENTIMENT, self.sentiment.map(|s| s.param().to_string()));
        optional(param::REGISTERED, self.registered.map(|r| r.to_string()));
        optional(param::TOV_MIN, self.tov_min.map(|d| d.to_string()));
        optional(param::TOV_MAX, self.tov_max.map(|d| d.to_string()));
        optional(param::ORDERS_MIN, self.orders_min.map(|n| n.to_string()));
        optional(param::ORDERS_MAX, self.orders_max.map(|n| n.to_string()));
        optional(param::PURCHASED_FROM, self.purchased_from.map(|d| d.to_string()));
        optional(param::PURCHASED_TO, self.purchased_to.map(|d| d.to_string()));
        optional(param::OPEN_TICKETS, self.open_tickets.then(|| "true".to_string()));
        optional(param::MARK, self.mark.map(|m| m.param().to_string()));
        optional(param::MANAGER, self.manager.map(|m| m.to_string()));
        self.fields.iter().for_each(|(key, value)| optional(&format!("{}{key}", param::FIELD), Some(value.clone())));
        optional(param::SORT, (self.sort != Sort::default()).then(|| self.sort.param()));
        optional(param::LIMIT, self.limit.filter(|l| *l != DEFAULT_LIMIT).map(|l| l.to_string()));
        optional(param::AFTER, self.after.clone());
        optional(param::BEFORE, self.before.clone());
        pairs
    }

    /// `/customers?…` for this query.
    pub fn url(&self) -> String {
        let query = self.query_string();
        if query.is_empty() { "/customers".to_string() } else { format!("/customers?{query}") }
    }

    /// The URL's parameters alone (`segment=vip&sort=-tov`), as an export or a bulk action takes them.
    pub fn query_string(&self) -> String {
        let pairs: Vec<String> =
            self.to_pairs().iter().map(|(k, v)| format!("{k}={}", crate::ui::url::encode(v))).collect();
        pairs.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &[(&str, &str)]) -> Result<CustomerQuery, Vec<String>> {
        CustomerQuery::from_pairs(query.iter().copied()).map_err(|e| e.into_iter().map(|e| e.path).collect())
    }

    #[test]
    fn every_parameter_reads_and_writes_back_the_same() {
        let pairs = [
            ("q", "bob"),
            ("segment", "vip"),
            ("segment", "repeat_customer"),
            ("channel", "amazon-de"),
            ("sentiment", "negative"),
            ("registered", "false"),
            ("tov_min", "10.5"),
            ("tov_max", "100"),
            ("orders_min", "1"),
            ("orders_max", "3"),
            ("purchased_from", "2026-01-01"),
            ("purchased_to", "2026-03-31"),
            ("open_tickets", "true"),
            ("mark", "vip"),
            ("manager", "7"),
            ("field.loyalty_tier", "Gold"),
            ("field.shoe_size", "42"),
            ("sort", "-tov"),
            ("limit", "20"),
            ("after", "abc"),
        ];
        let query = parse(&pairs).unwrap();
        assert_eq!(query.sort, Sort { key: SortKey::TotalOrderValue, descending: true });
        assert_eq!(query.segments, ["vip", "repeat_customer"]);
        let written = query.to_pairs();
        let expected: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(written, expected);
        assert!(query.has_filters());
        assert!(!parse(&[("q", "bob"), ("sort", "name")]).unwrap().has_filters());
        assert_eq!(CustomerQuery::default().url(), "/customers");
        assert_eq!(parse(&[("q", "a b"), ("c", "12")]).unwrap().url(), "/customers?q=a%20b");
    }

    #[test]
    fn bad_parameters_are_each_named() {
        let bad = parse(&[
            ("sentiment", "happy"),
            ("registered", "yes"),
            ("tov_min", "ten"),
            ("orders_max", "-1"),
            ("purchased_from", "31/01/2026"),
            ("sort", "email"),
            ("limit", "500"),
            ("mark", "gold"),
            ("field.Tier", "x"),
        ]);
        assert_eq!(
            bad.unwrap_err(),
            [
                "sentiment",
                "registered",
                "tov_min",
                "orders_max",
                "purchased_from",
                "sort",
                "limit",
                "mark",
                "field.Tier"
            ]
        );
        assert_eq!(parse(&[("tov_min", "10"), ("tov_max", "5")]).unwrap_err(), ["tov_max"]);
        assert_eq!(
            parse(&[("purchased_from", "2026-02-01"), ("purchased_to", "2026-01-01")]).unwrap_err(),
            ["purchased_to"]
        );
        // empty form fields are no filter at all
        assert_eq!(parse(&[("tov_min", ""), ("sentiment", " ")]).unwrap(), CustomerQuery::default());
    }
}
