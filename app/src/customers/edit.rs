//! Editing a customer (SPEC §2, §4): every editable field in one form, checked on the server, saved only
//! over the version the editor started from (a stale save is refused and says what changed), every
//! change recorded as an event with who, when, old and new value — the "History".

#[cfg(feature = "ssr")]
pub mod db;
pub mod view;

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The edit form as the browser sends it: text as typed (the server checks and normalises it), lists one
/// per line, checkboxes present when ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerForm {
    pub id: i64,
    /// The version the editor started from.
    pub version: i64,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    /// One email per line.
    pub emails: String,
    /// One phone per line, any format.
    pub phones: String,
    pub billing: AddressForm,
    pub shipping: AddressForm,
    pub vip_mark: Option<String>,
    pub bad_mark: Option<String>,
    /// `subscribed` or `unsubscribed`.
    pub email_subscription: String,
    /// Percent, e.g. `7.5`; blank for none.
    pub personal_discount: String,
    /// A member's user id; blank for none.
    pub manager: String,
    /// `individual` or `legal_entity`.
    pub contractor_type: String,
    pub legal_name: String,
    pub tax_id: String,
    pub legal_address: String,
    pub bank_name: String,
    pub bank_account: String,
    pub bank_code: String,
    pub comment: String,
    /// The workspace's custom fields by key, as typed (see `FieldValue::form_text`).
    pub custom: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressForm {
    pub name: String,
    pub company: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    /// ISO 3166 alpha-2, e.g. `DE`.
    pub country: String,
}

impl AddressForm {
    pub fn is_blank(&self) -> bool {
        [
            &self.name,
            &self.company,
            &self.line1,
            &self.line2,
            &self.city,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
        .iter()
        .all(|f| f.trim().is_empty())
    }

    /// The address on one line, as people read it ("Ann Lee, Hauptstraße 12, 10115 Berlin, DE").
    pub fn one_line(&self) -> String {
        let place = format!("{} {}", self.postal_code.trim(), self.city.trim());
        [&self.name, &self.company, &self.line1, &self.line2, &place, &self.region, &self.country]
            .iter()
            .map(|part| part.trim())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What the form offers besides the customer's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditContext {
    pub form: CustomerForm,
    /// Members who can manage customers: (user id, name or email).
    pub managers: Vec<(i64, String)>,
    /// The workspace's custom fields, each with an input on the form.
    pub custom_fields: Vec<crate::custom_fields::CustomField>,
    /// Whether the caller may save (agents and admins; viewers read).
    pub can_edit: bool,
}

/// One change of the customer's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub at: DateTime<Utc>,
    /// The member who made it; none for the API and the system.
    pub who: Option<String>,
    /// The field's label, e.g. "First name".
    pub field: String,
    pub old: String,
    pub new: String,
}

/// The labels of the editable fields, by the name the history stores.
pub const FIELDS: [(&str, &str); 23] = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("company", "Company"),
    ("emails", "Emails"),
    ("phones", "Phones"),
    ("billing_address", "Billing address"),
    ("shipping_address", "Shipping address"),
    ("vip_mark", "VIP mark"),
    ("bad_mark", "BAD mark"),
    ("email_subscription", "Email subscription"),
    ("personal_discount", "Personal discount"),
    ("manager", "Manager"),
    ("contractor_type", "Contractor type"),
    ("legal_name", "Legal name"),
    ("tax_id", "Tax id"),
    ("legal_address", "Legal address"),
    ("bank_name", "Bank name"),
    ("bank_account", "Bank account"),
    ("bank_code", "Bank code"),
    ("comment", "Internal comment"),
    ("custom", "Custom field"),
    ("merged", "Merged"),
    ("created", "Created"),
];

pub fn field_label(field: &str) -> String {
    FIELDS.iter().find(|(key, _)| *key == field).map_or_else(|| field.replace('_', " "), |(_, label)| label.to_string())
}

/// The form filled with the customer's current values, and what it offers.
#[server(output = crate::codec::TextJson)]
pub async fn load_edit_form(id: i64) -> Result<EditContext, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(Role::Viewer, |caller, state| async move {
        let form = db::current_form(&state.pool, caller.workspace_id, id).await?;
        let managers = crate::accounts::db::member_choices(&state.pool, caller.workspace_id).await?;
        let custom_fields = crate::custom_fields::fields(&state.pool, caller.workspace_id).await?;
        Ok(EditContext { form, managers, custom_fields, can_edit: caller.role.allows(Role::Agent) })
    })
    .await
}

/// Saves the form; answers the new version. A form made from an older version is refused (409) with
/// what changed since; bad fields are refused (422) each with its message.
#[server(endpoint = "save_customer", output = crate::codec::TextJson)]
pub async fn save_customer(form: CustomerForm) -> Result<i64, AppError> {
    use crate::accounts::Role;
    crate::guard_write!(Role::Agent, |tx, w| db::save(tx, w.workspace_id, w.actor, w.now, &form)).await
}

/// The customer's changes, newest first.
#[server(output = crate::codec::TextJson)]
pub async fn customer_history(id: i64) -> Result<Vec<Change>, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(
        Role::Viewer,
        |caller, state| async move { db::history(&state.pool, caller.workspace_id, id).await },
    )
    .await
}
