//! Custom fields and their values in the database: defining and removing fields, reading a customer's
//! values, checking the edit form's values against each field's kind, and writing what changed.

use super::{CustomField, FieldValue, KINDS, MAX_FIELDS, MAX_TEXT};
use crate::error::{AppError, AppResult, FieldError};
use crate::timeline::{Event, Recorded};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgExecutor};
use std::collections::BTreeMap;

pub async fn fields<'e>(db: impl PgExecutor<'e>, workspace_id: i64) -> AppResult<Vec<CustomField>> {
    let rows = sqlx::query!(
        r#"select f.id, f.key, f.label, f.kind,
                  coalesce((select jsonb_agg(jsonb_build_array(c.id, c.label) order by c.position, c.id)
                              from custom_field_choice c
                             where c.workspace_id = f.workspace_id and c.field_id = f.id), '[]') as "choices!"
             from custom_field f where f.workspace_id = $1 order by f.position, f.id"#,
        workspace_id
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let choices: Vec<(i64, String)> = serde_json::from_value(r.choices).map_err(AppError::internal)?;
            Ok(CustomField { id: r.id, key: r.key, label: r.label, kind: r.kind, choices })
        })
        .collect()
}

/// `Loyalty tier (2026)` → `loyalty_tier_2026`: the key a field is known by in URLs and the API.
fn key_of(label: &str) -> String {
    let mut key = String::new();
    for c in label.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_');
    let key = if key.starts_with(|c: char| c.is_ascii_lowercase()) { key.to_string() } else { format!("field_{key}") };
    key.chars().take(60).collect::<String>().trim_end_matches('_').to_string()
}

pub async fn create(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    label: &str,
    kind: &str,
    choices: &str,
) -> AppResult<i64> {
    let mut problems = Vec::new();
    let label = label.trim();
    if label.is_empty() {
        problems.push(FieldError { path: "label".into(), message: "give the field a name".into() });
    } else if label.chars().count() > 100 {
        problems.push(FieldError { path: "label".into(), message: "a name holds at most 100 characters".into() });
    }
    if !KINDS.iter().any(|(k, _)| *k == kind) {
        problems.push(FieldError {
            path: "kind".into(),
            message: "choose text, number, date, yes or no, or single choice".into(),
        });
    }
    let mut options: Vec<&str> = Vec::new();
    for line in choices.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !options.iter().any(|o| o.eq_ignore_ascii_case(line)) {
            options.push(line);
        }
    }
    if kind == "choice" && options.is_empty() {
        problems.push(FieldError { path: "choices".into(), message: "list the choices, one per line".into() });
    }
    if options.len() > 200 || options.iter().any(|o| o.chars().count() > 100) {
        problems.push(FieldError {
            path: "choices".into(),
            message: "use at most 200 choices of at most 100 characters".into(),
        });
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let count =
        sqlx::query_scalar!(r#"select count(*) as "n!" from custom_field where workspace_id = $1"#, workspace_id)
            .fetch_one(&mut *conn)
            .await?;
    if count as usize >= MAX_FIELDS {
        return Err(AppError::invalid("label", format!("a workspace can have at most {MAX_FIELDS} custom fields")));
    }
    let key = key_of(label);
    let id = sqlx::query_scalar!(
        "insert into custom_field (workspace_id, key, label, kind, position, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $6)
         on conflict (workspace_id, key) do nothing
         returning id",
        workspace_id,
        key,
        label,
        kind,
        count as i32,
        now
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::invalid("label", format!("there is already a field named like “{label}” ({key})")))?;
    if kind == "choice" {
        let positions: Vec<i32> = (0..options.len() as i32).collect();
        sqlx::query!(
            "insert into custom_field_choice (workspace_id, field_id, label, position, created_at, updated_at)
             select $1, $2, label, position, $5, $5 from unnest($3::text[], $4::int[]) as u(label, position)",
            workspace_id,
            id,
            &options as &[&str],
            &positions,
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// Removes the field; each customer's value of it goes into their history first, so nothing is lost.
pub async fn delete(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: i64,
    now: DateTime<Utc>,
    id: i64,
) -> AppResult<()> {
    let all = fields(&mut *conn, workspace_id).await?;
    let field = all.into_iter().find(|f| f.id == id).ok_or(AppError::NotFound)?;
    let values = sqlx::query!(
        "select customer_id, text_value, number_value, date_value, boolean_value, choice_id
           from custom_field_value where workspace_id = $1 and field_id = $2",
        workspace_id,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    let events: Vec<Recorded> = values
        .into_iter()
        .map(|v| {
            let value = typed(v.text_value, v.number_value, v.date_value, v.boolean_value, v.choice_id);
            let event = Event::FieldChanged {
                field: format!("custom.{}", field.key),
                old: serde_json::json!(value.map(|v| v.shown(&field))),
                new: serde_json::Value::Null,
                label: Some(field.label.clone()),
                version: None,
                removed: true,
            };
            Recorded { customer_id: v.customer_id, actor_id: Some(actor), happened_at: now, event }
        })
        .collect();
    crate::timeline::record_all(conn, workspace_id, &events).await?;
    sqlx::query!("delete from custom_field where workspace_id = $1 and id = $2", workspace_id, id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn typed(
    text: Option<String>,
    number: Option<Decimal>,
    date: Option<NaiveDate>,
    boolean: Option<bool>,
    choice: Option<i64>,
) -> Option<FieldValue> {
    text.map(FieldValue::Text)
        .or(number.map(FieldValue::Number))
        .or(date.map(FieldValue::Date))
        .or(boolean.map(FieldValue::Boolean))
        .or(choice.map(FieldValue::Choice))
}

/// The customer's values, by field id.
pub async fn values<'e>(
    db: impl PgExecutor<'e>,
    workspace_id: i64,
    customer: i64,
) -> AppResult<BTreeMap<i64, FieldValue>> {
    let rows = sqlx::query!(
        "select field_id, text_value, number_value, date_value, boolean_value, choice_id
           from custom_field_value where workspace_id = $1 and customer_id = $2",
        workspace_id,
        customer
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            typed(r.text_value, r.number_value, r.date_value, r.boolean_value, r.choice_id).map(|v| (r.field_id, v))
        })
        .collect())
}

/// The customer's values as people read them: (field label, value), in the fields' order.
pub async fn shown(pool: &sqlx::PgPool, workspace_id: i64, customer: i64) -> AppResult<Vec<(String, String)>> {
    let fields = fields(pool, workspace_id).await?;
    let values = values(pool, workspace_id, customer).await?;
    Ok(fields.iter().filter_map(|f| values.get(&f.id).map(|v| (f.label.clone(), v.shown(f)))).collect())
}

/// The form's text for each field (by key) read as the field's kind; blank is no value. Every bad value
/// is named by `custom.<key>`.
pub fn check(
    fields: &[CustomField],
    form: &BTreeMap<String, String>,
) -> Result<Vec<Option<FieldValue>>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut values = Vec::with_capacity(fields.len());
    for field in fields {
        let text = form.get(&field.key).map(|t| t.trim()).unwrap_or_default();
        let mut fail = |message: &str| {
            errors.push(FieldError { path: format!("custom.{}", field.key), message: message.to_string() })
        };
        let value = match (field.kind.as_str(), text) {
            (_, "") => None,
            ("number", text) => match text.parse::<Decimal>() {
                Ok(n) => Some(FieldValue::Number(n.normalize())),
                Err(_) => {
                    fail("use a number such as 12 or 3.5");
                    None
                }
            },
            ("date", text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(day) => Some(FieldValue::Date(day)),
                Err(_) => {
                    fail("use a date such as 2026-12-31");
                    None
                }
            },
            ("boolean", "true" | "yes" | "on") => Some(FieldValue::Boolean(true)),
            ("boolean", "false" | "no") => Some(FieldValue::Boolean(false)),
            ("boolean", _) => {
                fail("choose yes or no");
                None
            }
            ("choice", text) => {
                match text.parse::<i64>().ok().filter(|id| field.choices.iter().any(|(c, _)| c == id)) {
                    Some(id) => Some(FieldValue::Choice(id)),
                    None => {
                        fail("choose one of the offered values");
                        None
                    }
                }
            }
            (_, text) if text.chars().count() > MAX_TEXT => {
                fail(&format!("use at most {MAX_TEXT} characters"));
                None
            }
            (_, text) => Some(FieldValue::Text(text.to_string())),
        };
        values.push(value);
    }
    if errors.is_empty() { Ok(values) } else { Err(errors) }
}

/// A change of one custom field, for the history: (`custom.<key>`, label, old, new) as people read them.
pub type CustomChange = (String, String, Option<String>, Option<String>);

/// Writes the values that differ from what is stored, answering each change.
pub async fn write(
    conn: &mut PgConnection,
    workspace_id: i64,
    customer: i64,
    now: DateTime<Utc>,
    fields: &[CustomField],
    new: &[Option<FieldValue>],
) -> AppResult<Vec<CustomChange>> {
    let old = values(&mut *conn, workspace_id, customer).await?;
    let mut changes = Vec::new();
    for (field, value) in fields.iter().zip(new) {
        let before = old.get(&field.id);
        if before == value.as_ref() {
            continue;
        }
        set_many(&mut *conn, workspace_id, field, &[customer], value.as_ref(), now).await?;
        changes.push((
            format!("custom.{}", field.key),
            field.label.clone(),
            before.map(|v| v.shown(field)),
            value.as_ref().map(|v| v.shown(field)),
        ));
    }
    Ok(changes)
}

/// The values of field `field_id` for these customers (those without one are left out).
pub async fn values_of_many(
    conn: &mut PgConnection,
    workspace_id: i64,
    field_id: i64,
    customers: &[i64],
) -> AppResult<Vec<(i64, FieldValue)>> {
    let rows = sqlx::query!(
        "select customer_id, text_value, number_value, date_value, boolean_value, choice_id
           from custom_field_value where workspace_id = $1 and field_id = $2 and customer_id = any($3)",
        workspace_id,
        field_id,
        customers
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            typed(r.text_value, r.number_value, r.date_value, r.boolean_value, r.choice_id).map(|v| (r.customer_id, v))
        })
        .collect())
}

/// Sets `field` to `value` (none: no value) for all these customers at once (a bulk action).
pub async fn set_many(
    conn: &mut PgConnection,
    workspace_id: i64,
    field: &CustomField,
    customers: &[i64],
    value: Option<&FieldValue>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(value) = value else {
        sqlx::query!(
            "delete from custom_field_value where workspace_id = $1 and field_id = $2 and customer_id = any($3)",
            workspace_id,
            field.id,
            customers
        )
        .execute(conn)
        .await?;
        return Ok(());
    };
    let (text, number, date, boolean, choice) = columns(value);
    sqlx::query!(
        "insert into custom_field_value (workspace_id, customer_id, field_id, kind, text_value, number_value,
                                         date_value, boolean_value, choice_id, created_at, updated_at)
         select $1, customer, $3, $4, $5, $6, $7, $8, $9, $10, $10 from unnest($2::bigint[]) as customer
         on conflict (workspace_id, customer_id, field_id) do update
            set text_value = excluded.text_value, number_value = excluded.number_value,
                date_value = excluded.date_value, boolean_value = excluded.boolean_value,
                choice_id = excluded.choice_id, updated_at = excluded.updated_at",
        workspace_id,
        customers,
        field.id,
        field.kind,
        text,
        number,
        date,
        boolean,
        choice,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A value as the table's columns hold it (text, number, date, yes/no, choice): exactly one of them set.
type Columns = (Option<String>, Option<Decimal>, Option<NaiveDate>, Option<bool>, Option<i64>);

fn columns(value: &FieldValue) -> Columns {
    match value {
        FieldValue::Text(t) => (Some(t.clone()), None, None, None, None),
        FieldValue::Number(n) => (None, Some(*n), None, None, None),
        FieldValue::Date(d) => (None, None, Some(*d), None, None),
        FieldValue::Boolean(b) => (None, None, None, Some(*b), None),
        FieldValue::Choice(c) => (None, None, None, None, Some(*c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Role;
    use crate::accounts::db::{add_member, create_workspace};
    use sqlx::PgPool;

    #[test]
    fn keys_come_from_labels() {
        assert_eq!(key_of("Loyalty tier (2026)"), "loyalty_tier_2026");
        assert_eq!(key_of("  VAT-ID "), "vat_id");
        assert_eq!(key_of("2nd phone"), "field_2nd_phone");
        assert_eq!(key_of("Größe"), "gr_e");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn fields_are_defined_checked_and_written_by_kind(pool: PgPool) {
        let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let ann = add_member(&pool, ws, "ann@shop.example", Role::Admin, Some("$argon2id$test")).await.unwrap();
        let now: DateTime<Utc> = "2026-03-01T10:00:00Z".parse().unwrap();
        let mut tx = pool.begin().await.unwrap();
        create(&mut tx, ws, now, "Loyalty tier", "choice", "Gold\nSilver\n\ngold\nBronze").await.unwrap();
        create(&mut tx, ws, now, "Shoe size", "number", "").await.unwrap();
        create(&mut tx, ws, now, "Birthday", "date", "").await.unwrap();
        create(&mut tx, ws, now, "Wholesale", "boolean", "").await.unwrap();
        create(&mut tx, ws, now, "Nickname", "text", "").await.unwrap();
        let refused = |e: AppError| match e {
            AppError::Invalid(fields) => fields.into_iter().map(|f| f.path).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(refused(create(&mut tx, ws, now, " ", "colour", "").await.unwrap_err()), ["label", "kind"]);
        assert_eq!(refused(create(&mut tx, ws, now, "Size", "choice", " \n ").await.unwrap_err()), ["choices"]);
        // the same key twice is refused by name
        assert_eq!(refused(create(&mut tx, ws, now, "shoe size!", "text", "").await.unwrap_err()), ["label"]);
        tx.commit().await.unwrap();

        let all = fields(&pool, ws).await.unwrap();
        let keys: Vec<&str> = all.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["loyalty_tier", "shoe_size", "birthday", "wholesale", "nickname"]);
        let tier = &all[0];
        let labels: Vec<&str> = tier.choices.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["Gold", "Silver", "Bronze"]);

        let form = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let bad = check(
            &all,
            &form(&[("loyalty_tier", "999"), ("shoe_size", "big"), ("birthday", "1.2.1990"), ("wholesale", "maybe")]),
        );
        let paths: Vec<String> = bad.unwrap_err().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["custom.loyalty_tier", "custom.shoe_size", "custom.birthday", "custom.wholesale"]);
        let gold = tier.choices[0].0.to_string();
        let good = check(
            &all,
            &form(&[
                ("loyalty_tier", &gold),
                ("shoe_size", "42.50"),
                ("birthday", "1990-02-01"),
                ("wholesale", "true"),
                ("nickname", " Bo "),
            ]),
        )
        .unwrap();
        assert_eq!(good[1], Some(FieldValue::Number("42.5".parse().unwrap())));
        assert_eq!(good[4], Some(FieldValue::Text("Bo".into())));

        let customer = crate::customers::manual_customer(&pool, ws).await;
        let mut tx = pool.begin().await.unwrap();
        let changes = write(&mut tx, ws, customer, now, &all, &good).await.unwrap();
        let shown: Vec<(&str, Option<&str>)> = changes.iter().map(|c| (c.1.as_str(), c.3.as_deref())).collect();
        assert_eq!(
            shown,
            [
                ("Loyalty tier", Some("Gold")),
                ("Shoe size", Some("42.5")),
                ("Birthday", Some("1 Feb 1990")),
                ("Wholesale", Some("Yes")),
                ("Nickname", Some("Bo"))
            ]
        );
        // the same values again change nothing; a blank one removes the value
        assert!(write(&mut tx, ws, customer, now, &all, &good).await.unwrap().is_empty());
        let mut fewer = good.clone();
        fewer[4] = None;
        let changes = write(&mut tx, ws, customer, now, &all, &fewer).await.unwrap();
        assert_eq!(changes, [("custom.nickname".to_string(), "Nickname".to_string(), Some("Bo".to_string()), None)]);
        tx.commit().await.unwrap();
        assert_eq!(values(&pool, ws, customer).await.unwrap().len(), 4);

        // removing a field keeps each customer's value in their history; another workspace cannot remove it
        let other = create_workspace(&pool, "other", "Other", "EUR", "UTC").await.unwrap().id;
        let mut tx = pool.begin().await.unwrap();
        assert!(matches!(delete(&mut tx, other, ann, now, all[1].id).await, Err(AppError::NotFound)));
        delete(&mut tx, ws, ann, now, all[1].id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(fields(&pool, ws).await.unwrap().len(), 4);
        assert_eq!(values(&pool, ws, customer).await.unwrap().len(), 3);
        let history = crate::customers::edit::db::history(&pool, ws, customer).await.unwrap();
        assert_eq!(
            (history[0].field.as_str(), history[0].old.as_str(), history[0].new.as_str()),
            ("Shoe size", "42.5", "(empty)")
        );
    }
}
