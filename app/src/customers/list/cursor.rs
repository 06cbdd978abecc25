//! Page cursors: the sort and the sort values of a row, as an opaque URL-safe text. A cursor is checked
//! when read: a damaged or forged one, or one made for another sort, is refused with a message.

use super::query::Sort;
use super::sort::{SortValue, fits};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

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
        if cursor.sort != sort.param() || !fits(sort, &cursor.values) {
            return Err(BadCursor { parameter });
        }
        Ok(cursor)
    }
}

impl From<BadCursor> for crate::error::AppError {
    fn from(bad: BadCursor) -> Self {
        crate::error::AppError::stale_page_link(bad.parameter)
    }
}

#[cfg(test)]
mod tests {
    use super::super::query::SortKey;
    use super::*;

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
