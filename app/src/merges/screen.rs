//! The merge screen's data: the customers side by side with each single-valued field's value as the
//! customer page shows it, and what each would bring to the survivor.

use super::{ADDRESSES, COLUMNS, MAX_CUSTOMERS, MergeCandidate, MergeScreen};
use crate::customers::edit::{CustomerForm, field_label};
use crate::customers::person_name;
use crate::error::{AppError, AppResult};
use sqlx::PgPool;
use std::collections::BTreeMap;

pub(super) async fn screen(pool: &PgPool, workspace_id: i64, ids: &[i64]) -> AppResult<MergeScreen> {
    let mut distinct = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != ids.len() || !(2..=MAX_CUSTOMERS).contains(&ids.len()) {
        return Err(AppError::invalid("customers", format!("choose 2 to {MAX_CUSTOMERS} different customers")));
    }
    let rows = sqlx::query!(
        r#"select c.id, c.first_name, c.last_name, ch.key as channel, c.external_id, c.registered_at, c.order_count,
                  c.total_order_value, c.merged_into_id,
                  array(select e.email from customer_email e where e.workspace_id = $1 and e.customer_id = c.id
                         order by e.position, e.id) as "emails!",
                  array(select p.raw from customer_phone p where p.workspace_id = $1 and p.customer_id = c.id
                         order by p.position, p.id) as "phones!",
                  (select count(*) from ticket t where t.workspace_id = $1 and t.customer_id = c.id) as "tickets!",
                  (select count(*) from note n where n.workspace_id = $1 and n.customer_id = c.id) as "notes!",
                  (select count(*) from task t where t.workspace_id = $1 and t.customer_id = c.id) as "tasks!",
                  (select count(*) from file f where f.workspace_id = $1 and f.customer_id = c.id) as "files!"
             from customer c join channel ch on ch.workspace_id = c.workspace_id and ch.id = c.channel_id
            where c.workspace_id = $1 and c.id = any($2)"#,
        workspace_id,
        &distinct
    )
    .fetch_all(pool)
    .await?;
    if rows.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    if let Some(gone) = rows.iter().find(|r| r.merged_into_id.is_some()) {
        return Err(AppError::Conflict(format!(
            "customer #{} was merged into #{} already",
            gone.id,
            gone.merged_into_id.unwrap_or_default()
        )));
    }
    let custom_fields = crate::custom_fields::fields(pool, workspace_id).await?;
    let mut fields: Vec<(String, String)> =
        COLUMNS.iter().chain(&ADDRESSES).map(|(name, _)| (name.to_string(), field_label(name))).collect();
    fields.extend(custom_fields.iter().map(|f| (format!("custom.{}", f.key), f.label.clone())));
    let managers: BTreeMap<String, String> = crate::accounts::db::member_choices(pool, workspace_id)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let mut customers = Vec::with_capacity(rows.len());
    for r in rows {
        let form = crate::customers::edit::db::current_form(pool, workspace_id, r.id).await?;
        let values = fields.iter().map(|(name, _)| shown(&form, name, &managers)).collect();
        let records = [
            ("orders", i64::from(r.order_count)),
            ("tickets", r.tickets),
            ("notes", r.notes),
            ("tasks", r.tasks),
            ("files", r.files),
        ];
        customers.push(MergeCandidate {
            id: r.id,
            name: person_name(&r.first_name, &r.last_name),
            channel: r.channel,
            external_id: r.external_id,
            registered_at: r.registered_at,
            orders: r.order_count,
            total_order_value: r.total_order_value,
            emails: r.emails,
            phones: r.phones,
            values,
            records: records.into_iter().map(|(kind, n)| (kind.to_string(), n)).collect(),
        });
    }
    // SPEC §9: most orders, then the one with a channel customer id, then the oldest
    customers.sort_by(|a, b| {
        (b.orders, b.external_id.is_some(), a.registered_at, a.id).cmp(&(
            a.orders,
            a.external_id.is_some(),
            b.registered_at,
            b.id,
        ))
    });
    let currency = crate::accounts::db::workspace_currency(pool, workspace_id).await?;
    Ok(MergeScreen { fields, customers, currency })
}

/// The value of the merge's field `name` in the customer's form, as a person reads it.
fn shown(form: &CustomerForm, name: &str, managers: &BTreeMap<String, String>) -> String {
    let value = match name {
        "first_name" => form.first_name.clone(),
        "last_name" => form.last_name.clone(),
        "company" => form.company.clone(),
        "email_subscription" => form.email_subscription.clone(),
        "personal_discount" if !form.personal_discount.trim().is_empty() => format!("{}%", form.personal_discount),
        "personal_discount" => String::new(),
        "manager" => managers.get(&form.manager).cloned().unwrap_or_else(|| form.manager.clone()),
        "contractor_type" => form.contractor_type.replace('_', " "),
        "legal_name" => form.legal_name.clone(),
        "tax_id" => form.tax_id.clone(),
        "legal_address" => form.legal_address.clone(),
        "bank_name" => form.bank_name.clone(),
        "bank_account" => form.bank_account.clone(),
        "bank_code" => form.bank_code.clone(),
        "comment" => form.comment.clone(),
        "billing_address" => form.billing.one_line(),
        "shipping_address" => form.shipping.one_line(),
        _ => name.strip_prefix("custom.").and_then(|key| form.custom.get(key)).cloned().unwrap_or_default(),
    };
    value.trim().to_string()
}
