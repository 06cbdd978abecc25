//! The list's sorts as SQL sees them: the one place that knows each sort's columns (what the statement
//! orders by, what a cursor carries and how each value is read back and checked).

use super::query::{Sort, SortKey};
use crate::checks::{MAX_YEAR, MIN_YEAR};
use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::postgres::PgRow;

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

#[derive(Clone, Copy)]
pub(super) enum Kind {
    Time,
    Number,
    Text,
    Int,
    BigInt,
    Bool,
}

/// One column of a sort: an expression that is never null (nulls are mapped to where they sort), and
/// its direction. Each sort has an index on exactly these expressions (migration `customer_list`).
#[derive(Clone, Copy)]
pub(super) struct Column {
    pub sql: &'static str,
    pub kind: Kind,
    pub descending: bool,
}

pub(super) const fn col(sql: &'static str, kind: Kind, descending: bool) -> Column {
    Column { sql, kind, descending }
}

/// The columns of `sort`, ending with the id so that every row has its own place.
pub(super) fn columns(sort: Sort) -> Vec<Column> {
    use Kind::*;
    let d = sort.descending;
    match sort.key {
        // SPEC §3: newest purchase first, ties by last name, first name, id; customers without a counted
        // order after everyone else, newest registered first.
        SortKey::LatestPurchase if d => vec![
            col("coalesce(c.latest_purchase_at, '-infinity')", Time, true),
            col("(case when c.latest_purchase_at is null then c.registered_at else '-infinity' end)", Time, true),
            col("c.last_name", Text, false),
            col("c.first_name", Text, false),
            col("c.id", BigInt, false),
        ],
        // oldest purchase first; customers without one still last
        SortKey::LatestPurchase => vec![
            col("coalesce(c.latest_purchase_at, 'infinity')", Time, false),
            col("c.last_name", Text, false),
            col("c.first_name", Text, false),
            col("c.id", BigInt, false),
        ],
        SortKey::Name => vec![col("c.last_name", Text, d), col("c.first_name", Text, d), col("c.id", BigInt, d)],
        // each of the two figures breaks the other's ties (migration `figure_tie_breaks`)
        SortKey::TotalOrderValue => {
            vec![col("c.total_order_value", Number, d), col("c.order_count", Int, d), col("c.id", BigInt, d)]
        }
        SortKey::Orders => {
            vec![col("c.order_count", Int, d), col("c.total_order_value", Number, d), col("c.id", BigInt, d)]
        }
        // no average (no orders) last in both directions, every column going the sort's way so that a
        // cursor is a seek (migration `list_seeks`); equal averages by total (migration `figure_tie_breaks`)
        SortKey::AverageOrderValue => vec![
            if d {
                col("(c.average_order_value is not null)", Bool, true)
            } else {
                col("(c.average_order_value is null)", Bool, false)
            },
            col("coalesce(c.average_order_value, 0)", Number, d),
            col("c.total_order_value", Number, d),
            col("c.id", BigInt, d),
        ],
        SortKey::CustomerSince if d => {
            vec![col("coalesce(c.customer_since, '-infinity')", Time, true), col("c.id", BigInt, true)]
        }
        SortKey::CustomerSince => {
            vec![col("coalesce(c.customer_since, 'infinity')", Time, false), col("c.id", BigInt, false)]
        }
        SortKey::RegisteredAt => vec![col("c.registered_at", Time, d), col("c.id", BigInt, d)],
    }
}

/// The id and sort values of a row read with the columns named `s0`, `s1`, … (`sql::page_ids`).
pub(super) fn read_row(row: &PgRow, columns: &[Column]) -> Result<(i64, Vec<SortValue>), sqlx::Error> {
    let values = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let name = format!("s{i}");
            Ok(match column.kind {
                Kind::Time => SortValue::Time(row.try_get(name.as_str())?),
                Kind::Number => SortValue::Number(row.try_get(name.as_str())?),
                Kind::Text => SortValue::Text(row.try_get(name.as_str())?),
                Kind::Int => SortValue::Int(row.try_get::<i32, _>(name.as_str())?.into()),
                Kind::BigInt => SortValue::Int(row.try_get(name.as_str())?),
                Kind::Bool => SortValue::Bool(row.try_get(name.as_str())?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok((row.try_get("id")?, values))
}

/// Checks that decoded cursor values fit the sort's columns.
pub(super) fn fits(sort: Sort, values: &[SortValue]) -> bool {
    let columns = columns(sort);
    columns.len() == values.len()
        && columns.iter().zip(values).all(|(c, v)| match (c.kind, v) {
            (Kind::Time, SortValue::Time(t)) => is_time(t),
            // a forged cursor's text could carry what PostgreSQL refuses, its number what `int` cannot hold
            (Kind::Text, SortValue::Text(t)) => !t.contains('\0'),
            (Kind::Int, SortValue::Int(n)) => i32::try_from(*n).is_ok(),
            (Kind::Number, SortValue::Number(_))
            | (Kind::BigInt, SortValue::Int(_))
            | (Kind::Bool, SortValue::Bool(_)) => true,
            _ => false,
        })
}
