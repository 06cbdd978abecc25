//! Who an order or a message belongs to (SPEC §2): channels appear with their first order, registered
//! customers once per channel, guests once per order; names, emails and phones the channel sends are
//! kept without duplicates.

use crate::error::{AppError, AppResult};
use crate::orders::input::CustomerInput;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The channel with `key`, created with `kind` the first time the key is seen.
pub async fn channel_id(conn: &mut PgConnection, workspace_id: i64, key: &str, kind: Option<&str>) -> AppResult<i64> {
    if let Some(id) =
        sqlx::query_scalar!("select id from channel where workspace_id = $1 and key = $2", workspace_id, key)
            .fetch_optional(&mut *conn)
            .await?
    {
        return Ok(id);
    }
    let Some(kind) = kind else {
        return Err(AppError::invalid(
            "$.channel_kind",
            format!("channel {key:?} is new: say which kind it is (shopify, amazon, ebay, …) the first time"),
        ));
    };
    // Two first orders of a new channel may race: the loser reads the winner's row.
    sqlx::query!(
        "insert into channel (workspace_id, key, kind, name) values ($1, $2, $3, $2) on conflict do nothing",
        workspace_id,
        key,
        kind
    )
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar!("select id from channel where workspace_id = $1 and key = $2", workspace_id, key)
        .fetch_one(&mut *conn)
        .await?)
}

/// Locks the given customers in id order (so concurrent writers never deadlock on them); `no key update`
/// still lets others insert rows that reference them (events, memberships).
pub async fn lock_customers(conn: &mut PgConnection, workspace_id: i64, ids: &[i64]) -> AppResult<()> {
    sqlx::query!(
        "select id from customer where workspace_id = $1 and id = any($2) order by id for no key update",
        workspace_id,
        ids
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(())
}

/// The registered customer with this channel customer id, created on first sight.
pub async fn registered_customer(
    conn: &mut PgConnection,
    workspace_id: i64,
    channel_id: i64,
    external_id: &str,
    customer: &CustomerInput,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let created = sqlx::query_scalar!(
        "insert into customer (workspace_id, channel_id, external_id, registered, first_name, last_name, registered_at)
         values ($1, $2, $3, true, $4, $5, $6)
         on conflict (workspace_id, channel_id, external_id) do nothing returning id",
        workspace_id,
        channel_id,
        external_id,
        customer.first_name.as_deref().unwrap_or(""),
        customer.last_name.as_deref().unwrap_or(""),
        now
    )
    .fetch_optional(&mut *conn)
    .await?;
    match created {
        Some(id) => Ok(id),
        None => Ok(sqlx::query_scalar!(
            "select id from customer where workspace_id = $1 and channel_id = $2 and external_id = $3",
            workspace_id,
            channel_id,
            external_id
        )
        .fetch_one(&mut *conn)
        .await?),
    }
}

pub async fn guest_customer(
    conn: &mut PgConnection,
    workspace_id: i64,
    channel_id: i64,
    customer: &CustomerInput,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        "insert into customer (workspace_id, channel_id, registered, first_name, last_name, registered_at)
         values ($1, $2, false, $3, $4, $5) returning id",
        workspace_id,
        channel_id,
        customer.first_name.as_deref().unwrap_or(""),
        customer.last_name.as_deref().unwrap_or(""),
        now
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// Keeps the names, email and phone the channel sends, without duplicating what is already stored;
/// returns whether anything was stored.
pub async fn sync_contact(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
    customer: &CustomerInput,
) -> AppResult<bool> {
    let mut changed = 0;
    if customer.first_name.is_some() || customer.last_name.is_some() {
        changed += sqlx::query!(
            "update customer set first_name = coalesce($3, first_name), last_name = coalesce($4, last_name),
                    updated_at = now()
              where workspace_id = $1 and id = $2
                and (first_name is distinct from coalesce($3, first_name)
                     or last_name is distinct from coalesce($4, last_name))",
            workspace_id,
            id,
            customer.first_name,
            customer.last_name
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    if let Some(email) = &customer.email {
        changed += sqlx::query!(
            "insert into customer_email (workspace_id, customer_id, email, position)
             select $1, $2, $3, coalesce(max(position) + 1, 0) from customer_email
              where workspace_id = $1 and customer_id = $2
             on conflict (workspace_id, customer_id, normalized) do nothing",
            workspace_id,
            id,
            email
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    if let Some(raw) = &customer.phone {
        let e164 = e164(raw);
        changed += sqlx::query!(
            "insert into customer_phone (workspace_id, customer_id, raw, e164, position)
             select $1, $2, $3, $4, (select coalesce(max(position) + 1, 0) from customer_phone
                                      where workspace_id = $1 and customer_id = $2)
              where not exists (select 1 from customer_phone where workspace_id = $1 and customer_id = $2
                                   and (raw = $3 or e164 = $4))",
            workspace_id,
            id,
            raw,
            e164
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(changed > 0)
}

/// The E.164 form of an international number (`+…`); national numbers without a region stay raw.
pub fn e164(raw: &str) -> Option<String> {
    let number = phonenumber::parse(None, raw).ok()?;
    phonenumber::is_valid(&number).then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

/// A customer of the channel known by this email, for messages from people without a channel customer
/// id: their second ticket belongs to the same customer as their first. Customers without a channel id
/// (guests, contacts, added by hand) come first — a registered customer would have sent theirs — then
/// the most recent.
pub async fn customer_by_email(
    conn: &mut PgConnection,
    workspace_id: i64,
    channel_id: i64,
    email: &str,
) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        "select c.id from customer_email e
           join customer c on c.workspace_id = e.workspace_id and c.id = e.customer_id
          where e.workspace_id = $1 and e.normalized = lower(btrim($3)) and c.channel_id = $2
            and c.merged_into_id is null
          order by c.external_id is null desc, c.id desc limit 1",
        workspace_id,
        channel_id,
        email
    )
    .fetch_optional(&mut *conn)
    .await?)
}

/// A customer sent on its own (`POST /api/v1/customers`): with a channel customer id it is created once
/// and then kept in sync; without one it is a customer added by hand, on the `manual` channel.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerSync {
    pub channel: String,
    pub channel_kind: Option<String>,
    pub company: Option<String>,
    pub customer: CustomerInput,
}

pub fn parse_customer_sync(
    value: &serde_json::Value,
    path: &str,
) -> Result<CustomerSync, Vec<crate::error::FieldError>> {
    let mut errors = Vec::new();
    let mut r = crate::orders::input::Reader::new(value, path, &mut errors);
    let channel = r.text("channel", 64).unwrap_or_else(|| "manual".to_string());
    let channel_kind = r.one_of("channel_kind", &crate::orders::input::CHANNEL_KINDS, false);
    let company = r.text("company", 300);
    drop(r);
    let customer = crate::orders::input::parse_customer(value, path, &mut errors);
    match customer {
        Some(customer) if errors.is_empty() => {
            if customer.external_id.is_some() && channel == "manual" {
                return Err(vec![crate::error::FieldError {
                    path: format!("{path}.channel"),
                    message: "a channel customer id needs the channel it belongs to".into(),
                }]);
            }
            Ok(CustomerSync { channel, channel_kind, company, customer })
        }
        _ => Err(errors),
    }
}

pub async fn ingest_customer(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    sync: &CustomerSync,
) -> AppResult<crate::orders::ingest::Ingested> {
    use crate::orders::ingest::{Ingested, Outcome};
    let channel = channel_id(conn, workspace_id, &sync.channel, sync.channel_kind.as_deref()).await?;
    let (id, result) = match &sync.customer.external_id {
        Some(external) => {
            let existed = sqlx::query_scalar!(
                "select id from customer where workspace_id = $1 and channel_id = $2 and external_id = $3",
                workspace_id,
                channel,
                external
            )
            .fetch_optional(&mut *conn)
            .await?;
            let id = registered_customer(conn, workspace_id, channel, external, &sync.customer, now).await?;
            (id, if existed.is_some() { Outcome::Updated } else { Outcome::Created })
        }
        None => {
            let id = sqlx::query_scalar!(
                "insert into customer (workspace_id, channel_id, registered, first_name, last_name, registered_at)
                 values ($1, $2, true, $3, $4, $5) returning id",
                workspace_id,
                channel,
                sync.customer.first_name.as_deref().unwrap_or(""),
                sync.customer.last_name.as_deref().unwrap_or(""),
                now
            )
            .fetch_one(&mut *conn)
            .await?;
            (id, Outcome::Created)
        }
    };
    lock_customers(conn, workspace_id, &[id]).await?;
    let mut changed = sync_contact(conn, workspace_id, id, &sync.customer).await?;
    if let Some(company) = &sync.company {
        changed |= sqlx::query!(
            "update customer set company = $3, updated_at = $4
              where workspace_id = $1 and id = $2 and company is distinct from $3",
            workspace_id,
            id,
            company,
            now
        )
        .execute(&mut *conn)
        .await?
        .rows_affected()
            > 0;
    }
    let result = match result {
        Outcome::Updated if !changed => Outcome::Unchanged,
        other => other,
    };
    if result == Outcome::Created {
        sqlx::query!(
            "insert into event (workspace_id, customer_id, kind, happened_at, detail)
             values ($1, $2, 'customer_created', $3, jsonb_build_object('channel', $4::text))",
            workspace_id,
            id,
            now,
            sync.channel
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(Ingested { id, customer_id: id, result, affected: vec![id] })
}
