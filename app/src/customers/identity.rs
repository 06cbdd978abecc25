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

/// Keeps the names, email and phone the channel sends with each item, without duplicating what is
/// already stored: items are applied in order (a later name wins), in three statements whatever their
/// number. Returns how many rows changed.
pub async fn sync_contacts(
    conn: &mut PgConnection,
    workspace_id: i64,
    items: &[(i64, &CustomerInput)],
) -> AppResult<u64> {
    let mut changed = 0;
    // Names: per customer, the last name each item sent.
    let mut names: Vec<(i64, Option<&str>, Option<&str>)> = Vec::new();
    for (id, customer) in items.iter().filter(|(_, c)| c.first_name.is_some() || c.last_name.is_some()) {
        match names.iter_mut().find(|(known, _, _)| known == id) {
            Some(entry) => {
                entry.1 = customer.first_name.as_deref().or(entry.1);
                entry.2 = customer.last_name.as_deref().or(entry.2);
            }
            None => names.push((*id, customer.first_name.as_deref(), customer.last_name.as_deref())),
        }
    }
    if !names.is_empty() {
        let ids: Vec<i64> = names.iter().map(|n| n.0).collect();
        let first: Vec<Option<&str>> = names.iter().map(|n| n.1).collect();
        let last: Vec<Option<&str>> = names.iter().map(|n| n.2).collect();
        changed += sqlx::query!(
            "update customer c
                set first_name = coalesce(v.first_name, c.first_name), last_name = coalesce(v.last_name, c.last_name),
                    updated_at = now()
               from unnest($2::bigint[], $3::text[], $4::text[]) as v(id, first_name, last_name)
              where c.workspace_id = $1 and c.id = v.id
                and (c.first_name is distinct from coalesce(v.first_name, c.first_name)
                     or c.last_name is distinct from coalesce(v.last_name, c.last_name))",
            workspace_id,
            &ids,
            &first as &[Option<&str>],
            &last as &[Option<&str>]
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    let (ids, emails): (Vec<i64>, Vec<&str>) =
        items.iter().filter_map(|(id, c)| Some((*id, c.email.as_deref()?))).unzip();
    if !ids.is_empty() {
        // New addresses go after the customer's others, in the order they came.
        changed += sqlx::query!(
            "insert into customer_email (workspace_id, customer_id, email, position)
             select $1, v.customer_id, v.email,
                    coalesce((select max(position) from customer_email e
                               where e.workspace_id = $1 and e.customer_id = v.customer_id), -1)
                    + row_number() over (partition by v.customer_id order by v.n)
               from (select distinct on (customer_id, lower(btrim(email))) customer_id, email, n
                       from unnest($2::bigint[], $3::text[]) with ordinality as v(customer_id, email, n)
                      order by customer_id, lower(btrim(email)), n) v
              where not exists (select 1 from customer_email e where e.workspace_id = $1
                                   and e.customer_id = v.customer_id and e.normalized = lower(btrim(v.email)))
             on conflict (workspace_id, customer_id, normalized) do nothing",
            workspace_id,
            &ids,
            &emails as &[&str]
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    let phones: Vec<(i64, &str, Option<String>)> =
        items.iter().filter_map(|(id, c)| c.phone.as_deref().map(|raw| (*id, raw, e164(raw)))).collect();
    if !phones.is_empty() {
        let ids: Vec<i64> = phones.iter().map(|p| p.0).collect();
        let raws: Vec<&str> = phones.iter().map(|p| p.1).collect();
        let normalized: Vec<Option<String>> = phones.iter().map(|p| p.2.clone()).collect();
        // A number already stored, raw or normalised, is not added again.
        changed += sqlx::query!(
            "insert into customer_phone (workspace_id, customer_id, raw, e164, position)
             select $1, v.customer_id, v.raw, v.e164,
                    coalesce((select max(position) from customer_phone p
                               where p.workspace_id = $1 and p.customer_id = v.customer_id), -1)
                    + row_number() over (partition by v.customer_id order by v.n)
               from (select distinct on (customer_id, coalesce(e164, raw)) customer_id, raw, e164, n
                       from unnest($2::bigint[], $3::text[], $4::text[]) with ordinality as v(customer_id, raw, e164, n)
                      order by customer_id, coalesce(e164, raw), n) v
              where not exists (select 1 from customer_phone p where p.workspace_id = $1
                                   and p.customer_id = v.customer_id and (p.raw = v.raw or p.e164 = v.e164))",
            workspace_id,
            &ids,
            &raws as &[&str],
            &normalized as &[Option<String>]
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(changed)
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
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomerSync {
    /// The channel's key; `manual` (the default) for a customer added by hand.
    #[cfg_attr(feature = "ssr", schema(required = false))]
    pub channel: String,
    /// Needed the first time a channel key is seen.
    pub channel_kind: Option<String>,
    pub company: Option<String>,
    #[serde(flatten)]
    pub customer: CustomerInput,
}

pub fn parse_customer_sync(
    value: &serde_json::Value,
    path: &str,
) -> Result<CustomerSync, Vec<crate::error::FieldError>> {
    let mut errors = Vec::new();
    let mut r = crate::orders::input::Reader::new(value, path, &mut errors);
    let channel = r.channel_key("channel", false).unwrap_or_else(|| "manual".to_string());
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
        None => match same_customer_sent_again(conn, workspace_id, channel, sync).await? {
            Some(id) => (id, Outcome::Updated),
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
        },
    };
    lock_customers(conn, workspace_id, &[id]).await?;
    let mut changed = sync_contacts(conn, workspace_id, &[(id, &sync.customer)]).await? > 0;
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
        let event = crate::timeline::Event::CustomerCreated { channel: Some(sync.channel.clone()) };
        crate::timeline::record(conn, workspace_id, id, None, now, event).await?;
    }
    Ok(Ingested { id, customer_id: id, result, affected: vec![id] })
}

/// The customer a `POST /api/v1/customers` without a channel customer id was sent as before, so that
/// re-sending it changes nothing (SPEC §5). Its idempotency key, on its channel among the customers
/// without a channel customer id: the email (normalised) if it has one; else the phone (E.164 when it
/// reads as one); else the first and last name with the company. A customer sent with none of these is
/// created each time. Concurrent sends of one key wait for each other (an advisory lock on the key), so
/// the second finds the first.
async fn same_customer_sent_again(
    conn: &mut PgConnection,
    workspace_id: i64,
    channel: i64,
    sync: &CustomerSync,
) -> AppResult<Option<i64>> {
    let c = &sync.customer;
    let email = c.email.as_deref().map(crate::accounts::db::normalize_email);
    let phone = c.phone.as_deref().map(|raw| e164(raw).unwrap_or_else(|| raw.trim().to_string()));
    let name = (c.first_name.as_deref().unwrap_or(""), c.last_name.as_deref().unwrap_or(""));
    let key = match (&email, &phone) {
        (Some(email), _) => format!("email:{email}"),
        (None, Some(phone)) => format!("phone:{phone}"),
        (None, None) if name != ("", "") => {
            format!("name:{}\n{}\n{}", name.0, name.1, sync.company.as_deref().unwrap_or(""))
        }
        (None, None) => return Ok(None),
    };
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended($1, 0))",
        format!("customer sent again:{workspace_id}:{channel}:{key}")
    )
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar!(
        r#"select c.id from customer c
            where c.workspace_id = $1 and c.channel_id = $2 and c.external_id is null and c.merged_into_id is null
              and case when $3::text is not null then
                       exists (select 1 from customer_email e
                                where e.workspace_id = c.workspace_id and e.customer_id = c.id and e.normalized = $3)
                       when $4::text is not null then
                       exists (select 1 from customer_phone p
                                where p.workspace_id = c.workspace_id and p.customer_id = c.id
                                  and (p.e164 = $4 or btrim(p.raw) = $4))
                       else c.first_name = $5 and c.last_name = $6 and c.company is not distinct from $7
                  end
            order by c.id
            limit 1"#,
        workspace_id,
        channel,
        email,
        phone,
        name.0,
        name.1,
        sync.company
    )
    .fetch_optional(&mut *conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The OpenAPI document describes `CustomerSync`; the checker reads a customer as the type declares.
    #[test]
    fn the_checker_reads_a_customer_as_its_type_declares() {
        let synced = json!({"channel": "shopify-eu", "channel_kind": "shopify", "company": "Norman & Co",
                            "external_id": "207119551", "email": "bob@example.com", "first_name": "Bob",
                            "last_name": "Norman", "phone": "+16136120707"});
        let declared: CustomerSync = serde_json::from_value(synced.clone()).unwrap();
        assert_eq!(parse_customer_sync(&synced, "$").unwrap(), declared);
        assert_eq!(e164("+1 613 612 0707").as_deref(), Some("+16136120707"));
        assert_eq!(e164("0613 612 0707"), None, "a national number without a region stays raw");
    }
}
