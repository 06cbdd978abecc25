//! Saving the edit form: checks every field (naming each bad one), refuses a save over a newer version
//! with what changed since, writes only what changed, and records each change as an event.

use super::{AddressForm, Change, CustomerForm, field_label};
use crate::checks::e164;
use crate::checks::{is_email_address, is_iso_code};
use crate::customers::Address;
use crate::error::{AppError, AppResult, FieldError};
use crate::timeline::event::Stored;
use crate::timeline::{Event, Recorded};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sqlx::{PgConnection, PgPool};

const MAX_EMAILS: usize = 100;
const MAX_PHONES: usize = 200;

/// The form, checked and normalised: what would be stored.
#[derive(Debug, Clone, PartialEq)]
struct Customer {
    first_name: String,
    last_name: String,
    company: Option<String>,
    emails: Vec<String>,
    /// Raw as typed, and E.164 where the number can be read.
    phones: Vec<(String, Option<String>)>,
    billing: Option<Address>,
    shipping: Option<Address>,
    vip_mark: bool,
    bad_mark: bool,
    email_subscription: String,
    personal_discount: Option<Decimal>,
    manager: Option<i64>,
    contractor_type: String,
    legal_name: Option<String>,
    tax_id: Option<String>,
    legal_address: Option<String>,
    bank_name: Option<String>,
    bank_account: Option<String>,
    bank_code: Option<String>,
    comment: Option<String>,
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn check(form: &CustomerForm) -> Result<Customer, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |path: &str, message: String| errors.push(FieldError { path: path.into(), message });
    let mut text = |path: &str, value: &str, max: usize| {
        let value = value.trim();
        if value.chars().count() > max {
            fail(path, format!("use at most {max} characters"));
        }
        value.to_string()
    };
    let first_name = text("first_name", &form.first_name, 200);
    let last_name = text("last_name", &form.last_name, 200);
    let company = optional(&text("company", &form.company, 300));
    let legal_name = optional(&text("legal_name", &form.legal_name, 300));
    let tax_id = optional(&text("tax_id", &form.tax_id, 100));
    let legal_address = optional(&text("legal_address", &form.legal_address, 500));
    let bank_name = optional(&text("bank_name", &form.bank_name, 200));
    let bank_account = optional(&text("bank_account", &form.bank_account, 100));
    let bank_code = optional(&text("bank_code", &form.bank_code, 100));
    let comment = optional(&text("comment", &form.comment, 5000));

    let mut emails: Vec<String> = Vec::new();
    for line in form.emails.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.chars().count() > 320 || !is_email_address(line) || line.matches('@').count() != 1 {
            fail("emails", format!("{line:?} is not an email address"));
        } else if !emails.iter().any(|e| e.to_lowercase() == line.to_lowercase()) {
            emails.push(line.to_string());
        }
    }
    if emails.len() > MAX_EMAILS {
        fail("emails", format!("keep at most {MAX_EMAILS} emails"));
    }
    let mut phones: Vec<(String, Option<String>)> = Vec::new();
    for line in form.phones.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let digits = line.chars().filter(char::is_ascii_digit).count();
        let phone_like = line.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
        if line.chars().count() > 40 || digits < 4 || !phone_like {
            fail("phones", format!("{line:?} is not a phone number"));
        } else if !phones.iter().any(|(raw, _)| raw == line) {
            phones.push((line.to_string(), e164(line)));
        }
    }
    if phones.len() > MAX_PHONES {
        fail("phones", format!("keep at most {MAX_PHONES} phones"));
    }
    let mut address = |kind: &str, a: &AddressForm| -> Option<Address> {
        if a.is_blank() {
            return None;
        }
        let country = optional(&a.country).map(|c| c.to_uppercase());
        let address = Address {
            name: optional(&a.name),
            company: optional(&a.company),
            line1: optional(&a.line1),
            line2: optional(&a.line2),
            city: optional(&a.city),
            region: optional(&a.region),
            postal_code: optional(&a.postal_code),
            country,
        };
        if !address.places_somewhere() {
            fail(&format!("{kind}.line1"), "give the street, the town or the postal code".into());
        }
        if address.country.as_deref().is_some_and(|c| !is_iso_code(c, 2)) {
            fail(&format!("{kind}.country"), "use a two-letter country code such as DE or US".into());
        }
        Some(address)
    };
    let billing = address("billing", &form.billing);
    let shipping = address("shipping", &form.shipping);
    let email_subscription = match form.email_subscription.trim() {
        "" | "unsubscribed" => "unsubscribed".to_string(),
        "subscribed" => "subscribed".to_string(),
        _ => {
            fail("email_subscription", "use subscribed or unsubscribed".into());
            String::new()
        }
    };
    let personal_discount = match optional(&form.personal_discount) {
        None => None,
        Some(text) => match text.trim_end_matches('%').trim().parse::<Decimal>() {
            Ok(d) if d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED && d.normalize().scale() <= 2 => {
                Some(d.normalize())
            }
            _ => {
                fail("personal_discount", "use a percentage from 0 to 100 with at most two decimals".into());
                None
            }
        },
    };
    let manager = match optional(&form.manager) {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                fail("manager", "choose a member of the workspace".into());
                None
            }
        },
    };
    let contractor_type = match form.contractor_type.trim() {
        "" | "individual" => "individual".to_string(),
        "legal_entity" => "legal_entity".to_string(),
        _ => {
            fail("contractor_type", "use individual or legal_entity".into());
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Customer {
        first_name,
        last_name,
        company,
        emails,
        phones,
        billing,
        shipping,
        vip_mark: form.vip_mark.is_some(),
        bad_mark: form.bad_mark.is_some(),
        email_subscription,
        personal_discount,
        manager,
        contractor_type,
        legal_name,
        tax_id,
        legal_address,
        bank_name,
        bank_account,
        bank_code,
        comment,
    })
}

/// The customer as stored, with its version.
async fn stored(conn: &mut PgConnection, workspace_id: i64, id: i64, lock: bool) -> AppResult<(i64, Customer)> {
    if lock {
        // the row lock orders concurrent saves: the second one sees the first one's version
        sqlx::query!("select id from customer where workspace_id = $1 and id = $2 for update", workspace_id, id)
            .fetch_optional(&mut *conn)
            .await?;
    }
    let c = sqlx::query!(
        r#"select version, first_name, last_name, company, vip_mark, bad_mark, email_subscription, personal_discount,
                  manager_id, contractor_type, legal_name, tax_id, legal_address, bank_name, bank_account,
                  bank_code, comment,
                  array(select email from customer_email e where e.workspace_id = c.workspace_id
                           and e.customer_id = c.id order by position, id) as "emails!",
                  array(select raw from customer_phone p where p.workspace_id = c.workspace_id
                           and p.customer_id = c.id order by position, id) as "phones!",
                  array(select coalesce(e164, '') from customer_phone p where p.workspace_id = c.workspace_id
                           and p.customer_id = c.id order by position, id) as "e164s!"
             from customer c where workspace_id = $1 and id = $2 and merged_into_id is null"#,
        workspace_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let (billing, shipping) = crate::customers::db::addresses(conn, workspace_id, id).await?;
    Ok((
        c.version,
        Customer {
            first_name: c.first_name,
            last_name: c.last_name,
            company: c.company,
            emails: c.emails,
            phones: c.phones.into_iter().zip(c.e164s).map(|(raw, e)| (raw, (!e.is_empty()).then_some(e))).collect(),
            billing,
            shipping,
            vip_mark: c.vip_mark,
            bad_mark: c.bad_mark,
            email_subscription: c.email_subscription,
            personal_discount: c.personal_discount.map(|d| d.normalize()),
            manager: c.manager_id,
            contractor_type: c.contractor_type,
            legal_name: c.legal_name,
            tax_id: c.tax_id,
            legal_address: c.legal_address,
            bank_name: c.bank_name,
            bank_account: c.bank_account,
            bank_code: c.bank_code,
            comment: c.comment,
        },
    ))
}

fn address_form(a: &Option<Address>) -> AddressForm {
    let Some(a) = a else { return AddressForm::default() };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    AddressForm {
        name: text(&a.name),
        company: text(&a.company),
        line1: text(&a.line1),
        line2: text(&a.line2),
        city: text(&a.city),
        region: text(&a.region),
        postal_code: text(&a.postal_code),
        country: text(&a.country),
    }
}

/// The form filled with what is stored.
pub async fn current_form(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<CustomerForm> {
    let (version, c) = stored(&mut *pool.acquire().await?, workspace_id, id, false).await?;
    let fields = crate::custom_fields::fields(pool, workspace_id).await?;
    let values = crate::custom_fields::values(pool, workspace_id, id).await?;
    let custom = fields.iter().filter_map(|f| values.get(&f.id).map(|v| (f.key.clone(), v.form_text()))).collect();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let checked = |on: bool| on.then(|| "on".to_string());
    Ok(CustomerForm {
        id,
        version,
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        company: text(&c.company),
        emails: c.emails.join("\n"),
        phones: c.phones.iter().map(|(raw, _)| raw.clone()).collect::<Vec<_>>().join("\n"),
        billing: address_form(&c.billing),
        shipping: address_form(&c.shipping),
        vip_mark: checked(c.vip_mark),
        bad_mark: checked(c.bad_mark),
        email_subscription: c.email_subscription.clone(),
        personal_discount: c.personal_discount.map(|d| d.to_string()).unwrap_or_default(),
        manager: c.manager.map(|m| m.to_string()).unwrap_or_default(),
        contractor_type: c.contractor_type.clone(),
        legal_name: text(&c.legal_name),
        tax_id: text(&c.tax_id),
        legal_address: text(&c.legal_address),
        bank_name: text(&c.bank_name),
        bank_account: text(&c.bank_account),
        bank_code: text(&c.bank_code),
        comment: text(&c.comment),
        custom,
    })
}

/// An address on one line, for the history.
fn address_line(a: &Option<Address>) -> Option<String> {
    a.as_ref().map(|_| address_form(a).one_line())
}

/// Each field that differs: (history name, old, new), as people read them.
fn changes(old: &Customer, new: &Customer) -> Vec<(&'static str, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut field = |name: &'static str, a: Option<String>, b: Option<String>| {
        if a != b {
            out.push((name, a, b));
        }
    };
    let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let list = |items: Vec<String>| (!items.is_empty()).then(|| items.join(", "));
    let yes = |b: bool| Some(if b { "yes" } else { "no" }.to_string());
    field("first_name", text(&old.first_name), text(&new.first_name));
    field("last_name", text(&old.last_name), text(&new.last_name));
    field("company", old.company.clone(), new.company.clone());
    field("emails", list(old.emails.clone()), list(new.emails.clone()));
    let raws = |c: &Customer| c.phones.iter().map(|(raw, _)| raw.clone()).collect::<Vec<_>>();
    field("phones", list(raws(old)), list(raws(new)));
    field("billing_address", address_line(&old.billing), address_line(&new.billing));
    field("shipping_address", address_line(&old.shipping), address_line(&new.shipping));
    field("vip_mark", yes(old.vip_mark), yes(new.vip_mark));
    field("bad_mark", yes(old.bad_mark), yes(new.bad_mark));
    field("email_subscription", text(&old.email_subscription), text(&new.email_subscription));
    let percent = |d: Option<Decimal>| d.map(|d| format!("{d}%"));
    field("personal_discount", percent(old.personal_discount), percent(new.personal_discount));
    field("manager", old.manager.map(|m| m.to_string()), new.manager.map(|m| m.to_string()));
    field("contractor_type", text(&old.contractor_type), text(&new.contractor_type));
    field("legal_name", old.legal_name.clone(), new.legal_name.clone());
    field("tax_id", old.tax_id.clone(), new.tax_id.clone());
    field("legal_address", old.legal_address.clone(), new.legal_address.clone());
    field("bank_name", old.bank_name.clone(), new.bank_name.clone());
    field("bank_account", old.bank_account.clone(), new.bank_account.clone());
    field("bank_code", old.bank_code.clone(), new.bank_code.clone());
    field("comment", old.comment.clone(), new.comment.clone());
    out
}

/// Saves `form` by `actor` (a user id) and answers the customer's new version.
#[tracing::instrument(skip(conn, form), fields(customer = form.id))]
pub async fn save(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: i64,
    now: DateTime<Utc>,
    form: &CustomerForm,
) -> AppResult<i64> {
    let fields = crate::custom_fields::fields(&mut *conn, workspace_id).await?;
    // every bad field named at once, the workspace's own fields among them
    let (new, custom) = match (check(form), crate::custom_fields::check(&fields, &form.custom)) {
        (Ok(new), Ok(custom)) => (new, custom),
        (a, b) => return Err(AppError::Invalid([a.err(), b.err()].into_iter().flatten().flatten().collect())),
    };
    let id = form.id;
    let (version, old) = stored(conn, workspace_id, id, true).await?;
    if version != form.version {
        return Err(AppError::Conflict(changed_since(conn, workspace_id, id, form.version).await?));
    }
    if let Some(manager) = new.manager
        && new.manager != old.manager
    {
        let member = sqlx::query_scalar!(
            "select exists (select 1 from membership where workspace_id = $1 and user_id = $2
                              and deactivated_at is null and role in ('admin', 'agent'))",
            workspace_id,
            manager
        )
        .fetch_one(&mut *conn)
        .await?;
        if member != Some(true) {
            return Err(AppError::invalid("manager", "choose an active admin or agent of this workspace"));
        }
    }
    let mut changed = changes(&old, &new);
    for (field, old_value, new_value) in &mut changed {
        if *field == "manager" {
            *old_value = manager_name(conn, workspace_id, old.manager).await?;
            *new_value = manager_name(conn, workspace_id, new.manager).await?;
        }
    }
    let custom_changed = crate::custom_fields::write(conn, workspace_id, id, now, &fields, &custom).await?;
    if changed.is_empty() && custom_changed.is_empty() {
        return Ok(version);
    }
    let version = sqlx::query_scalar!(
        "update customer
            set first_name = $3, last_name = $4, company = $5, vip_mark = $6, bad_mark = $7,
                email_subscription = $8, personal_discount = $9, manager_id = $10, contractor_type = $11,
                legal_name = $12, tax_id = $13, legal_address = $14, bank_name = $15, bank_account = $16,
                bank_code = $17, comment = $18, version = version + 1, updated_at = $19
          where workspace_id = $1 and id = $2
         returning version",
        workspace_id,
        id,
        new.first_name,
        new.last_name,
        new.company,
        new.vip_mark,
        new.bad_mark,
        new.email_subscription,
        new.personal_discount,
        new.manager,
        new.contractor_type,
        new.legal_name,
        new.tax_id,
        new.legal_address,
        new.bank_name,
        new.bank_account,
        new.bank_code,
        new.comment,
        now
    )
    .fetch_one(&mut *conn)
    .await?;
    if new.emails != old.emails {
        sqlx::query!("delete from customer_email where workspace_id = $1 and customer_id = $2", workspace_id, id)
            .execute(&mut *conn)
            .await?;
        let positions: Vec<i32> = (0..new.emails.len() as i32).collect();
        sqlx::query!(
            "insert into customer_email (workspace_id, customer_id, email, position)
             select $1, $2, * from unnest($3::text[], $4::int[])",
            workspace_id,
            id,
            &new.emails,
            &positions
        )
        .execute(&mut *conn)
        .await?;
    }
    if new.phones != old.phones {
        sqlx::query!("delete from customer_phone where workspace_id = $1 and customer_id = $2", workspace_id, id)
            .execute(&mut *conn)
            .await?;
        let raws: Vec<String> = new.phones.iter().map(|(raw, _)| raw.clone()).collect();
        let e164s: Vec<Option<String>> = new.phones.iter().map(|(_, e)| e.clone()).collect();
        let positions: Vec<i32> = (0..raws.len() as i32).collect();
        sqlx::query!(
            "insert into customer_phone (workspace_id, customer_id, raw, e164, position)
             select $1, $2, * from unnest($3::text[], $4::text[], $5::int[])",
            workspace_id,
            id,
            &raws,
            &e164s as &[Option<String>],
            &positions
        )
        .execute(&mut *conn)
        .await?;
    }
    for (kind, old, new) in [("billing", &old.billing, &new.billing), ("shipping", &old.shipping, &new.shipping)] {
        if old == new {
            continue;
        }
        match new {
            None => {
                sqlx::query!(
                    "delete from customer_address where workspace_id = $1 and customer_id = $2 and kind = $3",
                    workspace_id,
                    id,
                    kind
                )
                .execute(&mut *conn)
                .await?;
            }
            Some(a) => {
                crate::customers::write_address(conn, workspace_id, id, kind, a, now).await?;
            }
        }
    }
    // each change with its field's name; a custom field's label goes with it (it may be renamed or removed)
    let all = changed
        .into_iter()
        .map(|(f, o, n)| (f.to_string(), None, o, n))
        .chain(custom_changed.into_iter().map(|(f, label, o, n)| (f, Some(label), o, n)));
    let events: Vec<Recorded> = all
        .map(|(field, label, old, new)| Recorded {
            customer_id: id,
            actor_id: Some(actor),
            happened_at: now,
            event: Event::FieldChanged {
                field,
                old: json!(old),
                new: json!(new),
                label,
                version: Some(version),
                removed: false,
            },
        })
        .collect();
    crate::timeline::record_all(conn, workspace_id, &events).await?;
    // names, contacts and addresses may have changed: compared again with the others (SPEC §9)
    crate::duplicates::db::queue(conn, workspace_id, &[form.id]).await?;
    Ok(version)
}

/// How the history names a manager: their name, or email.
async fn manager_name(conn: &mut PgConnection, workspace_id: i64, user: Option<i64>) -> AppResult<Option<String>> {
    let Some(user) = user else { return Ok(None) };
    Ok(sqlx::query_scalar!(
        r#"select coalesce(nullif(btrim(u.name), ''), u.email) as "name!" from user_account u
             join membership m on m.user_id = u.id and m.workspace_id = $1 where u.id = $2"#,
        workspace_id,
        user
    )
    .fetch_optional(&mut *conn)
    .await?
    .or(Some(format!("user {user}"))))
}

/// What was saved after `version`, for the editor whose save was refused.
async fn changed_since(conn: &mut PgConnection, workspace_id: i64, id: i64, version: i64) -> AppResult<String> {
    let rows = sqlx::query!(
        r#"select e.field as "field!", e.detail ->> 'label' as label,
                  coalesce(nullif(btrim(u.name), ''), u.email, 'the API') as "who!"
             from event e left join user_account u on u.id = e.actor_id
            where e.workspace_id = $1 and e.customer_id = $2 and e.kind = 'field_changed'
              and (e.detail ->> 'version')::bigint > $3
            order by e.id"#,
        workspace_id,
        id,
        version
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut fields: Vec<String> = Vec::new();
    let mut people: Vec<String> = Vec::new();
    for row in rows {
        let label = row.label.unwrap_or_else(|| field_label(&row.field));
        if !fields.contains(&label) {
            fields.push(label);
        }
        if !people.contains(&row.who) {
            people.push(row.who);
        }
    }
    let what = if fields.is_empty() { "this customer".to_string() } else { fields.join(", ") };
    let who = if people.is_empty() { "someone".to_string() } else { people.join(", ") };
    Ok(format!(
        "Not saved: {who} changed {what} after you opened this form. Your changes are still in the form; \
         copy what you need, then open the customer again to edit the newest version."
    ))
}

/// The customer's changes, newest first (at most 500).
pub async fn history(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<Vec<Change>> {
    crate::customers::db::require_customer(pool, workspace_id, id).await?;
    let rows = sqlx::query!(
        r#"select e.happened_at, coalesce(nullif(btrim(u.name), ''), u.email) as who, e.kind, e.field,
                  e.old_value, e.new_value, e.detail
             from event e left join user_account u on u.id = e.actor_id
            where e.workspace_id = $1 and e.customer_id = $2 and e.kind = 'field_changed'
            order by e.happened_at desc, e.id desc
            limit 500"#,
        workspace_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let shown = |v: Value| match v {
        Value::String(s) => s,
        Value::Null => "(empty)".to_string(),
        other => other.to_string(),
    };
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let stored = Stored {
                kind: r.kind,
                field: r.field,
                old_value: r.old_value,
                new_value: r.new_value,
                detail: r.detail,
                ..Stored::default()
            };
            let Ok(Event::FieldChanged { field, old, new, label, .. }) = Event::from_stored(stored) else {
                return None;
            };
            Some(Change {
                at: r.happened_at,
                who: r.who,
                field: label.unwrap_or_else(|| field_label(&field)),
                old: shown(old),
                new: shown(new),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Role;
    use crate::accounts::db::{add_member, create_workspace};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    struct Shop {
        pool: PgPool,
        ws: i64,
        ann: i64,
        bob: i64,
        customer: i64,
    }

    async fn shop(pool: &PgPool) -> Shop {
        let ws = create_workspace(pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let ann = add_member(pool, ws, "ann@shop.example", Role::Admin, Some("$argon2id$test")).await.unwrap();
        let bob = add_member(pool, ws, "bob@shop.example", Role::Agent, Some("$argon2id$test")).await.unwrap();
        let sync = crate::ingest::parse_customer_sync(
            &json!({"first_name": "Cleo", "last_name": "Moss", "email": "cleo@example.com", "phone": "+44 20 7946 0958"}),
            "$",
        )
        .unwrap();
        let mut tx = pool.begin().await.unwrap();
        let customer = crate::ingest::ingest_customer(&mut tx, ws, at("2026-01-01T00:00:00Z"), &sync).await.unwrap().id;
        tx.commit().await.unwrap();
        Shop { pool: pool.clone(), ws, ann, bob, customer }
    }

    impl Shop {
        async fn form(&self) -> CustomerForm {
            current_form(&self.pool, self.ws, self.customer).await.unwrap()
        }

        async fn save(&self, actor: i64, form: &CustomerForm) -> AppResult<i64> {
            let mut tx = self.pool.begin().await.unwrap();
            let saved = save(&mut tx, self.ws, actor, at("2026-02-01T10:00:00Z"), form).await;
            tx.commit().await.unwrap();
            saved
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn custom_fields_are_saved_with_the_form_shown_and_filtered_on(pool: PgPool) {
        let shop = shop(&pool).await;
        let now = at("2026-01-15T00:00:00Z");
        let mut tx = pool.begin().await.unwrap();
        crate::custom_fields::create(&mut tx, shop.ws, now, "Loyalty tier", "choice", "Gold\nSilver").await.unwrap();
        crate::custom_fields::create(&mut tx, shop.ws, now, "Shoe size", "number", "").await.unwrap();
        crate::custom_fields::create(&mut tx, shop.ws, now, "Wholesale", "boolean", "").await.unwrap();
        tx.commit().await.unwrap();
        let fields = crate::custom_fields::fields(&pool, shop.ws).await.unwrap();
        let silver = fields[0].choices[1].0.to_string();

        // a bad custom value is named with the other bad fields, and nothing is saved
        let mut form = shop.form().await;
        form.emails = "not an email".into();
        form.custom = [("shoe_size".to_string(), "big".to_string())].into();
        let refused = shop.save(shop.ann, &form).await.unwrap_err();
        let paths = match refused {
            AppError::Invalid(errors) => errors.into_iter().map(|e| e.path).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(paths, ["emails", "custom.shoe_size"]);

        let mut form = shop.form().await;
        form.custom = [("loyalty_tier", silver.as_str()), ("shoe_size", "42.0"), ("wholesale", "true")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        let version = shop.save(shop.ann, &form).await.unwrap();
        assert_eq!(version, 2, "a custom field alone is a new version");
        let stored = shop.form().await;
        assert_eq!(stored.custom.get("shoe_size").map(String::as_str), Some("42"));
        assert_eq!(stored.custom.get("loyalty_tier"), Some(&silver));
        let history = history(&pool, shop.ws, shop.customer).await.unwrap();
        let changes: Vec<(&str, &str, &str)> =
            history.iter().map(|c| (c.field.as_str(), c.old.as_str(), c.new.as_str())).collect();
        assert_eq!(
            changes,
            // newest first: one save, in the fields' order backwards
            [("Wholesale", "(empty)", "Yes"), ("Shoe size", "(empty)", "42"), ("Loyalty tier", "(empty)", "Silver")]
        );
        let timeline = crate::timeline::timeline(&pool, shop.ws, shop.customer, "changes", None, 10).await.unwrap();
        assert!(timeline.items.iter().any(|e| e.text == "Loyalty tier changed from (empty) to Silver"));
        let shown = crate::custom_fields::shown(&pool, shop.ws, shop.customer).await.unwrap();
        assert_eq!(shown[0], ("Loyalty tier".to_string(), "Silver".to_string()));

        // another editor who started before is told which custom field changed
        let mut late = form.clone();
        late.version = 1;
        match shop.save(shop.bob, &late).await.unwrap_err() {
            AppError::Conflict(message) => assert!(message.contains("Loyalty tier, Shoe size, Wholesale"), "{message}"),
            other => panic!("{other:?}"),
        }

        // the list filters on them: a choice by its label, a number, yes/no
        let list = |pairs: &[(&str, &str)]| {
            let query = crate::customers::list::CustomerQuery::from_pairs(pairs.iter().copied()).unwrap();
            let pool = pool.clone();
            let ws = shop.ws;
            async move { crate::customers::list::db::list_customers(&pool, ws, &query).await.unwrap().items.len() }
        };
        assert_eq!(list(&[("field.loyalty_tier", "silver")]).await, 1);
        assert_eq!(list(&[("field.loyalty_tier", "Gold")]).await, 0);
        assert_eq!(list(&[("field.shoe_size", "42")]).await, 1);
        assert_eq!(list(&[("field.wholesale", "true")]).await, 1);
        assert_eq!(list(&[("field.wholesale", "false")]).await, 0);
        assert_eq!(list(&[("field.no_such_field", "x")]).await, 0);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_save_stores_every_field_and_records_each_change(pool: PgPool) {
        let shop = shop(&pool).await;
        let mut form = shop.form().await;
        assert_eq!((form.first_name.as_str(), form.emails.as_str(), form.version), ("Cleo", "cleo@example.com", 1));
        form.first_name = "  Cleopatra ".into();
        form.emails = "cleo@example.com\n\nCLEO@example.com\ncleo@work.example".into();
        form.phones = "+44 20 7946 0958\n020 7946 0000".into();
        form.billing = AddressForm {
            line1: "1 High Street".into(),
            city: "London".into(),
            postal_code: "N1 1AA".into(),
            country: "gb".into(),
            ..Default::default()
        };
        // the parts a shop sent, without a street or a country
        form.shipping = AddressForm { city: "Paris".into(), postal_code: "75001".into(), ..Default::default() };
        form.vip_mark = Some("on".into());
        form.personal_discount = "7.50".into();
        form.manager = shop.bob.to_string();
        form.contractor_type = "legal_entity".into();
        form.legal_name = "Cleo Moss Ltd".into();
        form.comment = "<b>prefers email</b>".into();
        let version = shop.save(shop.ann, &form).await.unwrap();
        assert_eq!(version, 2);

        let stored = shop.form().await;
        assert_eq!(stored.first_name, "Cleopatra");
        assert_eq!(stored.emails, "cleo@example.com\ncleo@work.example", "the same address twice is kept once");
        assert_eq!(stored.phones, "+44 20 7946 0958\n020 7946 0000");
        assert_eq!(stored.billing.country, "GB");
        assert_eq!(
            stored.shipping,
            AddressForm { city: "Paris".into(), postal_code: "75001".into(), ..Default::default() }
        );
        assert_eq!((stored.vip_mark.is_some(), stored.personal_discount.as_str()), (true, "7.5"));
        assert_eq!(stored.manager, shop.bob.to_string());
        assert_eq!(stored.comment, "<b>prefers email</b>", "text is stored as typed (and escaped when shown)");
        let e164: Vec<Option<String>> = sqlx::query_scalar!(
            "select e164 from customer_phone where workspace_id = $1 and customer_id = $2 order by position",
            shop.ws,
            shop.customer
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(e164, [Some("+442079460958".to_string()), None], "a national number without a country stays raw");

        let history = history(&pool, shop.ws, shop.customer).await.unwrap();
        let change = |label: &str| history.iter().find(|c| c.field == label).cloned().unwrap();
        assert_eq!(history.len(), 11, "{history:?}");
        let first = change("First name");
        assert_eq!((first.old.as_str(), first.new.as_str()), ("Cleo", "Cleopatra"));
        assert_eq!(first.who.as_deref(), Some("ann@shop.example"));
        assert_eq!(change("Emails").new, "cleo@example.com, cleo@work.example");
        assert_eq!(change("Billing address").old, "(empty)");
        assert_eq!(change("Billing address").new, "1 High Street, N1 1AA London, GB");
        assert_eq!(change("Shipping address").new, "75001 Paris");
        assert_eq!(change("Manager").new, "bob@shop.example");
        assert_eq!(change("Personal discount").new, "7.5%");
        assert_eq!(change("VIP mark").old, "no");

        // saving the same again changes nothing and records nothing
        let again = shop.form().await;
        assert_eq!(shop.save(shop.ann, &again).await.unwrap(), 2);
        assert_eq!(super::history(&pool, shop.ws, shop.customer).await.unwrap().len(), 11);
        // the timeline's Changes tab shows the same events
        let changes = crate::timeline::timeline(&pool, shop.ws, shop.customer, "changes", None, 50).await.unwrap();
        assert!(
            changes.items.iter().any(|e| e.text == "first name changed from Cleo to Cleopatra"),
            "{:?}",
            changes.items
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_save_over_a_newer_version_is_refused_and_keeps_the_first(pool: PgPool) {
        let shop = shop(&pool).await;
        let mut ann = shop.form().await;
        let mut bob = shop.form().await;
        ann.first_name = "Ann's edit".into();
        bob.last_name = "Bob's edit".into();
        shop.save(shop.ann, &ann).await.unwrap();
        match shop.save(shop.bob, &bob).await {
            Err(AppError::Conflict(message)) => {
                assert!(message.contains("ann@shop.example changed First name"), "{message}");
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        let stored = shop.form().await;
        assert_eq!((stored.first_name.as_str(), stored.last_name.as_str()), ("Ann's edit", "Moss"));
        // Bob starts again from the newest version: both edits stand
        let mut again = stored.clone();
        again.last_name = "Bob's edit".into();
        shop.save(shop.bob, &again).await.unwrap();
        let stored = shop.form().await;
        assert_eq!(
            (stored.first_name.as_str(), stored.last_name.as_str(), stored.version),
            ("Ann's edit", "Bob's edit", 3)
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn bad_fields_are_each_named_and_nothing_is_written(pool: PgPool) {
        let shop = shop(&pool).await;
        let mut form = shop.form().await;
        form.first_name = "x".repeat(201);
        form.emails = "cleo@example.com\nnot-an-email\na@b@c".into();
        form.phones = "call me".into();
        form.personal_discount = "150".into();
        // a name and a country place the customer nowhere, and "France" is no country code
        form.shipping = AddressForm { name: "Cleo".into(), country: "France".into(), ..Default::default() };
        form.email_subscription = "maybe".into();
        let Err(AppError::Invalid(errors)) = shop.save(shop.ann, &form).await else { panic!("expected field errors") };
        let mut paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        paths.dedup();
        assert_eq!(
            paths,
            [
                "first_name",
                "emails",
                "phones",
                "shipping.line1",
                "shipping.country",
                "email_subscription",
                "personal_discount"
            ]
        );
        assert!(errors.iter().any(|e| e.message == "\"not-an-email\" is not an email address"));
        let stored = shop.form().await;
        assert_eq!((stored.first_name.as_str(), stored.version), ("Cleo", 1));

        // a manager must be an active admin or agent of this workspace
        let other = create_workspace(&pool, "other", "Other", "EUR", "UTC").await.unwrap().id;
        let stranger =
            add_member(&pool, other, "eve@other.example", Role::Admin, Some("$argon2id$test")).await.unwrap();
        let mut form = shop.form().await;
        form.manager = stranger.to_string();
        let Err(AppError::Invalid(errors)) = shop.save(shop.ann, &form).await else { panic!("expected field errors") };
        assert_eq!(errors[0].path, "manager");
        // and a customer of another workspace is not found
        let form = CustomerForm { id: shop.customer, ..shop.form().await };
        let mut tx = pool.begin().await.unwrap();
        assert!(matches!(
            save(&mut tx, other, stranger, at("2026-02-01T00:00:00Z"), &form).await,
            Err(AppError::NotFound)
        ));
    }
}
