//! Page cursors: the sort and the sort values of a row, as an opaque URL-safe text. A cursor is checked
//! when read: a damaged or forged one, or one made for another sort, is refused with a message.

use crate::checks::{MAX_YEAR, MIN_YEAR};
use crate::customers::query::Sort;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SortValue {
    /// A time as PostgreSQL writes it (`2026-01-31 10:00:00.5+00`), or `infinity` / `-infinity`.
    Time(String),
    Number(Decimal),
    Text(String),
    Int(i64),
    Bool(bool),
}

/// Whether `text` is a time PostgreSQL reads back exactly (checked before it reaches the database): a
/// forged cursor's year 0, negative or five-digit year is not.
pub fn is_time(text: &str) -> bool {
    matches!(text, "infinity" | "-infinity")
        || (text.starts_with(|c: char| c.is_ascii_digit())
            && DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z")
                .is_ok_and(|t| (MIN_YEAR..=MAX_YEAR).contains(&t.with_timezone(&Utc).year())))
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort the cursor was made for, as in the URL.
    pub sort: String,
    pub values: Vec<SortValue>,
}

/// A cursor that cannot be used, and the parameter it came in.
#[derive(Debug)]
pub struct BadCursor {
    pub parameter: &'static str,
}

impl Cursor {
    pub fn encode(sort: Sort, values: Vec<SortValue>) -> String {
        let json = serde_json::to_vec(&Cursor { sort: sort.param(), values }).expect("cursors serialise");
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(text: &str, sort: Sort, parameter: &'static str) -> Result<Cursor, BadCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| BadCursor { parameter })?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| BadCursor { parameter })?;
        if cursor.sort != sort.param() || !super::list::fits(sort, &cursor.values) {
            return Err(BadCursor { parameter });
        }
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::query::SortKey;

    #[test]
    fn a_cursor_reads_back_only_for_its_own_sort() {
        let sort = Sort { key: SortKey::TotalOrderValue, descending: true };
        let values = vec![SortValue::Number("12.50".parse().unwrap()), SortValue::Int(3), SortValue::Int(7)];
        let text = Cursor::encode(sort, values);
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{text}");
        let cursor = Cursor::decode(&text, sort, "after").unwrap();
        assert_eq!(cursor.values[2], SortValue::Int(7));
        assert!(Cursor::decode(&text, Sort { key: SortKey::TotalOrderValue, descending: false }, "after").is_err());
        assert!(Cursor::decode(&text, Sort::default(), "after").is_err());
        assert!(Cursor::decode("not a cursor!", sort, "after").is_err());
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sort":"-tov","values":[{"Text":"x"},{"Int":1},{"Int":1}]}"#);
        assert_eq!(Cursor::decode(&forged, sort, "before").unwrap_err().parameter, "before");
        let since = Sort { key: SortKey::CustomerSince, descending: false };
        for (time, good) in [
            ("2026-01-31 10:00:00+00", true),
            ("2026-01-31 10:00:00.123456+00", true),
            ("infinity", true),
            ("yesterday", false),
            ("2026-13-01 00:00:00+00", false),
            ("-0001-01-31 10:00:00+00", false),
            ("0000-01-31 10:00:00+00", false),
            ("12026-01-31 10:00:00+00", false),
        ] {
            let text = Cursor::encode(since, vec![SortValue::Time(time.into()), SortValue::Int(1)]);
            assert_eq!(Cursor::decode(&text, since, "after").is_ok(), good, "{time}");
        }
    }
}
