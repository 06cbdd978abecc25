//! Keyset pages that continue after a row named by its id (the orders list, the timeline): reading the
//! cursor and cutting the page. The customer list's cursors carry sort values instead
//! (`customers/db/cursor.rs`).

use crate::error::{AppError, AppResult};

/// The id a page continues after; a cursor that is not one is refused by the name of its parameter.
pub fn after_id(cursor: Option<&str>, parameter: &str) -> AppResult<Option<i64>> {
    cursor.map(|text| text.trim().parse::<i64>().map_err(|_| AppError::stale_page_link(parameter))).transpose()
}

/// Cuts the `limit + 1` rows read down to `limit`, and answers the next page's cursor when the extra row
/// showed there is one.
pub fn next_page<T>(items: &mut Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Option<String> {
    if items.len() as i64 <= limit {
        return None;
    }
    items.truncate(limit as usize);
    items.last().map(|item| id(item).to_string())
}
