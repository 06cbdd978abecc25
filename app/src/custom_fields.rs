//! Custom fields (SPEC §2): fields a workspace defines for its customers — text, number, date, yes/no or
//! one choice of a list. Admins define them in Settings → Custom fields; they appear on the edit form,
//! on the customer page and as filters of the list (`field.<key>=…` in its URL).

#[cfg(feature = "ssr")]
mod db;

#[cfg(feature = "ssr")]
pub use db::{check, create, fields, set_many, shown, values, values_of_many, write};
pub mod filters;
pub mod settings;

use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The kinds a field can be, as stored, with the name a person reads.
pub const KINDS: [(&str, &str); 5] =
    [("text", "Text"), ("number", "Number"), ("date", "Date"), ("boolean", "Yes or no"), ("choice", "Single choice")];

/// The most fields a workspace can define, and the longest text value.
pub const MAX_FIELDS: usize = 100;
pub const MAX_TEXT: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub id: i64,
    /// The name in URLs and the API, e.g. `loyalty_tier` (from the label).
    pub key: String,
    pub label: String,
    /// One of the keys of [`KINDS`].
    pub kind: String,
    /// The choices of a `choice` field, in their order: (id, label).
    pub choices: Vec<(i64, String)>,
}

impl CustomField {
    pub fn kind_label(&self) -> &'static str {
        KINDS.iter().find(|(k, _)| *k == self.kind).map_or("Text", |(_, label)| label)
    }

    /// The list filter's URL parameter for this field.
    pub fn param(&self) -> String {
        format!("{}{}", crate::customers::list::param::FIELD, self.key)
    }
}

/// A stored value of a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldValue {
    Text(String),
    Number(Decimal),
    Date(NaiveDate),
    Boolean(bool),
    /// A choice's id.
    Choice(i64),
}

impl FieldValue {
    /// As the edit form holds it: the text, the number, `2026-12-31`, `true`/`false`, the choice's id.
    pub fn form_text(&self) -> String {
        match self {
            FieldValue::Text(text) => text.clone(),
            FieldValue::Number(n) => n.normalize().to_string(),
            FieldValue::Date(day) => day.to_string(),
            FieldValue::Boolean(b) => b.to_string(),
            FieldValue::Choice(id) => id.to_string(),
        }
    }

    /// As a person reads it, on the customer page and in the history.
    pub fn shown(&self, field: &CustomField) -> String {
        match self {
            FieldValue::Date(day) => crate::ui::format::date(*day),
            FieldValue::Boolean(b) => if *b { "Yes" } else { "No" }.to_string(),
            FieldValue::Choice(id) => field
                .choices
                .iter()
                .find(|(c, _)| c == id)
                .map_or_else(|| "(a removed choice)".to_string(), |(_, label)| label.clone()),
            other => other.form_text(),
        }
    }
}

/// The workspace's custom fields, in their order.
#[server(output = crate::codec::TextJson)]
pub async fn list_custom_fields() -> Result<Vec<CustomField>, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move { db::fields(&state.pool, caller.workspace_id).await })
        .await
}

/// Defines a field; `choices` holds a `choice` field's choices, one per line.
#[server(endpoint = "add_custom_field", output = crate::codec::TextJson)]
pub async fn add_custom_field(label: String, kind: String, choices: String) -> Result<i64, AppError> {
    use crate::accounts::Role;
    crate::guard_write!(Role::Admin, |tx, w| db::create(tx, w.workspace_id, w.now, &label, &kind, &choices)).await
}

/// Removes a field; every customer's value of it stays in their history.
#[server(endpoint = "delete_custom_field", output = crate::codec::TextJson)]
pub async fn delete_custom_field(id: i64) -> Result<(), AppError> {
    use crate::accounts::Role;
    crate::guard_write!(Role::Admin, |tx, w| db::delete(tx, w.workspace_id, w.actor, w.now, id)).await
}
