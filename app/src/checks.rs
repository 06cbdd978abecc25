//! Checks on text that several inputs share: one definition each, so a form and the API agree.

use rust_decimal::Decimal;

/// Something@something with one `@`, without spaces or control characters, at most 320 characters:
/// the database checks the same shape (`^[^@\s]+@[^@\s]+$`), so what passes here is stored.
pub fn is_email_address(text: &str) -> bool {
    text.chars().count() <= 320
        && text
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Every amount of money, and every line's quantity × unit price, is below this (10^13, SPEC §15), so no
/// stored value can overflow a later read, sum or product; the database checks the same bound.
pub const MONEY_LIMIT: Decimal = Decimal::from_parts(1_316_134_912, 2_328, 0, false, 0);

/// The text of a refusal of an amount at or over `MONEY_LIMIT`.
pub const MONEY_LIMIT_TEXT: &str = "must be below 10,000,000,000,000";

/// Times and dates people send lie within these years, in UTC (PostgreSQL, chrono and the browser read
/// every one of them alike; a year 0, a negative or a five-digit year reached the database and came back
/// as an error).
pub const MIN_YEAR: i32 = 1;
pub const MAX_YEAR: i32 = 9999;

/// Text PostgreSQL cannot store: it refuses NUL characters in `text`.
pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

/// A CSV cell that a spreadsheet will show as text, never run as a formula: one starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice on CSV injection).
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}").into() } else { cell.into() }
}

/// `len` upper-case ASCII letters: ISO 4217 currencies (3), ISO 3166 countries (2).
pub fn is_iso_code(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_uppercase())
}

/// The E.164 form of an international number (`+…`); national numbers without a region stay raw.
#[cfg(feature = "ssr")]
pub fn e164(raw: &str) -> Option<String> {
    let number = phonenumber::parse(None, raw).ok()?;
    phonenumber::is_valid(&number).then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_money_limit_is_ten_to_the_thirteenth() {
        assert_eq!(MONEY_LIMIT, Decimal::from(10_000_000_000_000_i64));
    }

    #[test]
    fn cells_that_would_run_as_formulas_are_quoted() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(cell), format!("'{cell}"));
        }
        assert_eq!(spreadsheet_safe("Bob"), "Bob");
        assert_eq!(spreadsheet_safe("1-2"), "1-2");
    }

    #[test]
    fn emails_and_codes_have_their_shape() {
        assert!(is_email_address("bob@example.com"));
        assert!(!is_email_address("bob@") && !is_email_address("@example.com") && !is_email_address("b ob@x.y"));
        assert!(!is_email_address("a@b@c"), "one @ only, as the database wants");
        assert!(!is_email_address("a\0b@x.y") && !is_email_address("a@x.y\u{85}"));
        assert!(!is_email_address(&format!("{}@x.y", "a".repeat(320))));
        assert!(is_iso_code("EUR", 3) && is_iso_code("US", 2));
        assert!(!is_iso_code("eur", 3) && !is_iso_code("EURO", 3) && !is_iso_code("Germany", 2));
    }
}
