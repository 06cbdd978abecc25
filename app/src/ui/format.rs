//! Numbers and dates formatted for people.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

/// `1234567.891` in `USD` → `$1,234,567.89`; unknown currencies get their code after the amount.
pub fn money(amount: Decimal, currency: &str) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.2}", rounded.abs());
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() { "-" } else { "" };
    let number = format!("{}.{cents}", group_thousands(whole));
    match currency {
        "USD" => format!("{sign}${number}"),
        "EUR" => format!("{sign}€{number}"),
        "GBP" => format!("{sign}£{number}"),
        other => format!("{sign}{number} {other}"),
    }
}

/// `1234567` → `1,234,567`.
pub fn count(n: i64) -> String {
    let text = n.unsigned_abs().to_string();
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group_thousands(&text))
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The months' short names. Dates are written out here rather than through chrono's `format`, whose
/// pattern interpreter the browser bundle would otherwise carry (SPEC §8 caps it at 400 KB).
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `2024-05-01` → `May`.
pub fn month_name(day: NaiveDate) -> &'static str {
    MONTHS[day.month0() as usize]
}

/// `2024-05-01` → `May 2024`.
pub fn month(day: NaiveDate) -> String {
    format!("{} {}", month_name(day), day.year())
}

/// `2024-05-01` → `1 May 2024`: unambiguous in every locale.
pub fn date(day: NaiveDate) -> String {
    format!("{} {}", day.day(), month(day))
}

/// `2024-05-01T10:00:00Z` → `1 May 2024, 10:00 UTC`.
pub fn date_time(at: DateTime<Utc>) -> String {
    format!("{}, {:02}:{:02} UTC", date(at.date_naive()), at.hour(), at.minute())
}

/// The first line of a text written by the team, shortened to 80 characters, for the timeline.
pub fn excerpt(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    let short: String = line.chars().take(80).collect();
    if short.len() < line.len() { format!("{short}…") } else { short }
}

/// A file's size as people read it: `532 bytes`, `12.4 KB`, `3.1 MB` (powers of 1,024, like file managers).
pub fn bytes(size: i64) -> String {
    const UNITS: [&str; 3] = ["KB", "MB", "GB"];
    if size < 1024 {
        return if size == 1 { "1 byte".into() } else { format!("{size} bytes") };
    }
    let (mut unit, mut per_unit) = (0, 1024_i128);
    while i128::from(size) >= per_unit * 1024 && unit < UNITS.len() - 1 {
        per_unit *= 1024;
        unit += 1;
    }
    // tenths, rounded half up, in integers (the bundle then needs no float formatting)
    let tenths = (i128::from(size) * 10 + per_unit / 2) / per_unit;
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_is_rounded_half_away_from_zero_and_grouped() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(money(d("1234567.891"), "USD"), "$1,234,567.89");
        assert_eq!(money(d("0.005"), "EUR"), "€0.01");
        assert_eq!(money(d("999.995"), "GBP"), "£1,000.00");
        assert_eq!(money(d("-12.5"), "USD"), "-$12.50");
        assert_eq!(money(d("0"), "CHF"), "0.00 CHF");
        assert_eq!(money(d("-0.001"), "USD"), "$0.00");
    }

    #[test]
    fn counts_and_dates_read_naturally() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1000000), "1,000,000");
        assert_eq!(date(NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()), "1 May 2024");
        assert_eq!(date(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()), "31 Dec 2026");
        assert_eq!(month(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()), "Jan 2026");
        let at = DateTime::parse_from_rfc3339("2024-05-01T09:05:59Z").unwrap().with_timezone(&Utc);
        assert_eq!(date_time(at), "1 May 2024, 09:05 UTC");
    }

    #[test]
    fn sizes_and_excerpts_read_naturally() {
        assert_eq!(bytes(0), "0 bytes");
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(bytes(1023), "1023 bytes");
        assert_eq!(bytes(12_700), "12.4 KB");
        assert_eq!(bytes(10 * 1024 * 1024), "10.0 MB");
        assert_eq!(bytes(1024 * 1024 - 1), "1024.0 KB");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(bytes(5 * 1024 * 1024 * 1024 * 1024), "5120.0 GB");
        assert_eq!(excerpt("\n  First line  \nsecond"), "First line");
        assert_eq!(excerpt(&"é".repeat(81)), format!("{}…", "é".repeat(80)));
    }
}
