//! Customers sent on their own (`POST /api/v1/customers`).

use super::identity::{
    CustomerInput, CustomerRef, Identity, channel_id, lock_customers, parse_customer, resolve_customers, sync_contacts,
};
use super::outcome::{Ingested, Outcome};
use super::reader::Reader;
use crate::channels::ChannelKind;
use crate::checks::{e164, has_nul, is_email_address, is_iso_code};
use crate::customers::Address;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

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
    /// More email addresses beside `email` (up to 20); kept without duplicates.
    #[serde(default)]
    pub emails: Vec<String>,
    /// More phones beside `phone` (up to 20), any format.
    #[serde(default)]
    pub phones: Vec<String>,
    /// The billing address in the order's shape (`name`, `company`, `line1`, `line2`, `city`, `region`,
    /// `postal_code`, `country` as ISO 3166 alpha-2; each optional): replaces the one stored. One without
    /// a street line, town or postal code says nothing and changes nothing.
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
}

/// The most extra emails or phones one customer sync takes.
const MAX_CONTACTS: usize = 20;

pub fn parse_customer_sync(
    value: &serde_json::Value,
    path: &str,
) -> Result<CustomerSync, Vec<crate::error::FieldError>> {
    let mut errors = Vec::new();
    let mut r = Reader::new(value, path, &mut errors);
    let channel = r.channel_key("channel", false).unwrap_or_else(|| "manual".to_string());
    let channel_kind = r.one_of("channel_kind", ChannelKind::KEYS, false);
    let company = r.text("company", 300);
    let emails = contact_list(&mut r, "emails", 320, |e| {
        is_email_address(e).then_some(()).ok_or_else(|| format!("{e:?} is not an email address"))
    });
    let phones = contact_list(&mut r, "phones", 40, |_| Ok(()));
    let billing_address = address(&mut r, "billing_address");
    let shipping_address = address(&mut r, "shipping_address");
    drop(r);
    let customer = parse_customer(value, path, &mut errors);
    match customer {
        Some(customer) if errors.is_empty() => {
            if customer.external_id.is_some() && channel == "manual" {
                return Err(vec![crate::error::FieldError {
                    path: format!("{path}.channel"),
                    message: "a channel customer id needs the channel it belongs to".into(),
                }]);
            }
            Ok(CustomerSync {
                channel,
                channel_kind,
                company,
                customer,
                emails,
                phones,
                billing_address,
                shipping_address,
            })
        }
        _ => Err(errors),
    }
}

/// A list of up to `MAX_CONTACTS` texts of at most `max` characters, each checked by `check`.
fn contact_list(r: &mut Reader<'_>, key: &str, max: usize, check: impl Fn(&str) -> Result<(), String>) -> Vec<String> {
    let Some(value) = r.raw(key) else { return Vec::new() };
    let Some(items) = value.as_array() else {
        r.fail(key, "expected a list of texts");
        return Vec::new();
    };
    if items.len() > MAX_CONTACTS {
        r.fail(key, format!("at most {MAX_CONTACTS}"));
        return Vec::new();
    }
    let mut kept = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{key}[{i}]");
        match item.as_str().map(str::trim) {
            Some(text) if text.is_empty() || has_nul(text) || text.chars().count() > max => {
                r.fail(&at, format!("use 1 to {max} characters"));
            }
            Some(text) => match check(text) {
                Ok(()) => kept.push(text.to_string()),
                Err(message) => r.fail(&at, message),
            },
            None => r.fail(&at, "expected a text"),
        }
    }
    kept
}

/// An address object in the order's shape: every part an optional text, `country` an ISO 3166 alpha-2
/// code when given. One that places the customer nowhere (no street line,
/// town or postal code) is taken as no address.
fn address(r: &mut Reader<'_>, key: &str) -> Option<Address> {
    let value = r.raw(key)?;
    let mut errors = Vec::new();
    let path = format!("{}.{key}", r.path());
    let mut a = Reader::new(value, &path, &mut errors);
    let address = Address {
        name: a.address_part("name", 200),
        company: a.address_part("company", 300),
        line1: a.address_part("line1", 300),
        line2: a.address_part("line2", 300),
        city: a.address_part("city", 200),
        region: a.address_part("region", 200),
        postal_code: a.address_part("postal_code", 40),
        country: a.address_part("country", 200).map(|c| c.to_uppercase()),
    };
    if address.country.as_deref().is_some_and(|c| !is_iso_code(c, 2)) {
        a.fail("country", "use a two-letter ISO 3166 code such as US");
    }
    drop(a);
    let good = errors.is_empty();
    r.extend(errors);
    (good && address.places_somewhere()).then_some(address)
}

pub async fn ingest_customer(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    sync: &CustomerSync,
) -> AppResult<Ingested> {
    let channel = channel_id(conn, workspace_id, &sync.channel, sync.channel_kind.as_deref()).await?;
    let identity = match &sync.customer.external_id {
        Some(external) => Identity::Registered(external),
        None => match same_customer_sent_again(conn, workspace_id, channel, sync).await? {
            Some(id) => Identity::Known(id),
            None => Identity::New { registered: true },
        },
    };
    let resolved =
        resolve_customers(conn, workspace_id, now, &[CustomerRef::new(channel, identity, &sync.customer)]).await?[0];
    let (id, result) = (resolved.id, if resolved.created { Outcome::Created } else { Outcome::Updated });
    lock_customers(conn, workspace_id, &[id]).await?;
    let mut changed = !sync_contacts(conn, workspace_id, &[(id, &sync.customer)]).await?.is_empty();
    // the lists after the single email and phone, in the order sent
    let extra: Vec<CustomerInput> = sync
        .emails
        .iter()
        .map(|e| CustomerInput { email: Some(e.clone()), ..CustomerInput::default() })
        .chain(sync.phones.iter().map(|p| CustomerInput { phone: Some(p.clone()), ..CustomerInput::default() }))
        .collect();
    if !extra.is_empty() {
        let items: Vec<(i64, &CustomerInput)> = extra.iter().map(|c| (id, c)).collect();
        changed |= !sync_contacts(conn, workspace_id, &items).await?.is_empty();
    }
    for (kind, address) in [("billing", &sync.billing_address), ("shipping", &sync.shipping_address)] {
        if let Some(a) = address {
            changed |= crate::customers::write_address(conn, workspace_id, id, kind, a, now).await?;
        }
    }
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
    // a merged-away customer keeps what it is sent (an undo gives it back as sent); its new e-mails and
    // phones go on to the survivor, which the answer names (SPEC §9)
    let id = crate::merges::forward(conn, workspace_id, &[id]).await?.get(&id).copied().unwrap_or(id);
    crate::duplicates::db::queue(conn, workspace_id, &[id]).await?;
    Ok(Ingested { id, customer_id: id, result, affected: vec![id] })
}

/// Stores many customers as `ingest_customer` stores each, in the caller's transaction: those with a
/// channel customer id set-based (a dozen statements whatever their number; the same id twice is one
/// customer, the later row's names winning), the others one at a time (each looks for the customer it
/// was sent as before, which an earlier row of the same call may have created). One result per sync.
pub async fn ingest_customers(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    syncs: &[CustomerSync],
) -> AppResult<Vec<Ingested>> {
    let mut results: Vec<Option<Ingested>> = vec![None; syncs.len()];
    let mut channels: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let mut registered: Vec<(usize, i64, &CustomerSync)> = Vec::new();
    for (index, sync) in syncs.iter().enumerate() {
        if sync.customer.external_id.is_none() {
            results[index] = Some(ingest_customer(conn, workspace_id, now, sync).await?);
            continue;
        }
        let channel = match channels.get(sync.channel.as_str()) {
            Some(id) => *id,
            None => {
                let id = channel_id(conn, workspace_id, &sync.channel, sync.channel_kind.as_deref()).await?;
                channels.insert(&sync.channel, id);
                id
            }
        };
        registered.push((index, channel, sync));
    }
    if registered.is_empty() {
        return Ok(results.into_iter().map(|r| r.expect("every sync answered")).collect());
    }
    let refs: Vec<CustomerRef> = registered
        .iter()
        .map(|(_, channel, sync)| {
            let external = sync.customer.external_id.as_deref().expect("registered rows have an id");
            CustomerRef::new(*channel, Identity::Registered(external), &sync.customer)
        })
        .collect();
    let resolved = resolve_customers(conn, workspace_id, now, &refs).await?;
    let mut ids: Vec<i64> = resolved.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    lock_customers(conn, workspace_id, &ids).await?;
    // the single email and phone, then the lists after them, in the order sent
    let extra: Vec<(i64, CustomerInput)> = registered
        .iter()
        .zip(&resolved)
        .flat_map(|((_, _, sync), r)| {
            let emails =
                sync.emails.iter().map(|e| CustomerInput { email: Some(e.clone()), ..CustomerInput::default() });
            let phones =
                sync.phones.iter().map(|p| CustomerInput { phone: Some(p.clone()), ..CustomerInput::default() });
            emails.chain(phones).map(move |input| (r.id, input))
        })
        .collect();
    let items: Vec<(i64, &CustomerInput)> = registered
        .iter()
        .zip(&resolved)
        .map(|((_, _, sync), r)| (r.id, &sync.customer))
        .chain(extra.iter().map(|(id, input)| (*id, input)))
        .collect();
    let mut changed: std::collections::HashSet<i64> =
        sync_contacts(conn, workspace_id, &items).await?.into_iter().collect();
    for kind in ["billing", "shipping"] {
        let addresses: Vec<(i64, &Address)> = registered
            .iter()
            .zip(&resolved)
            .filter_map(|((_, _, sync), r)| {
                let address = if kind == "billing" { &sync.billing_address } else { &sync.shipping_address };
                address.as_ref().map(|a| (r.id, a))
            })
            .collect();
        changed.extend(crate::customers::write_addresses(conn, workspace_id, kind, &addresses, now).await?);
    }
    let companies: Vec<(i64, &str)> = registered
        .iter()
        .zip(&resolved)
        .filter_map(|((_, _, sync), r)| sync.company.as_deref().map(|c| (r.id, c)))
        .collect();
    if !companies.is_empty() {
        let (who, what): (Vec<i64>, Vec<&str>) = companies.into_iter().unzip();
        changed.extend(
            sqlx::query_scalar!(
                "update customer c set company = v.company, updated_at = $4
                   from (select distinct on (id) id, company
                           from unnest($2::bigint[], $3::text[]) with ordinality as u(id, company, n)
                          order by id, n desc) as v
                  where c.workspace_id = $1 and c.id = v.id and c.company is distinct from v.company
                 returning c.id",
                workspace_id,
                &who,
                &what as &[&str],
                now
            )
            .fetch_all(&mut *conn)
            .await?,
        );
    }
    let mut first_seen = std::collections::HashSet::new();
    let events: Vec<crate::timeline::Recorded> = registered
        .iter()
        .zip(&resolved)
        .filter(|(_, r)| r.created && first_seen.insert(r.id))
        .map(|((_, _, sync), r)| crate::timeline::Recorded {
            customer_id: r.id,
            actor_id: None,
            happened_at: now,
            event: crate::timeline::Event::CustomerCreated { channel: Some(sync.channel.clone()) },
        })
        .collect();
    crate::timeline::record_all(conn, workspace_id, &events).await?;
    let forwarded = crate::merges::forward(conn, workspace_id, &ids).await?;
    let survivor = |id: i64| forwarded.get(&id).copied().unwrap_or(id);
    let survivors: Vec<i64> = ids.iter().map(|id| survivor(*id)).collect();
    crate::duplicates::db::queue(conn, workspace_id, &survivors).await?;
    let mut answered = std::collections::HashSet::new();
    for ((index, _, _), r) in registered.iter().zip(&resolved) {
        // the same customer twice: created by the first row, the second finds it as the first left it
        let result = match (r.created && answered.insert(r.id), changed.contains(&r.id)) {
            (true, _) => Outcome::Created,
            (false, true) => Outcome::Updated,
            (false, false) => Outcome::Unchanged,
        };
        let id = survivor(r.id);
        results[*index] = Some(Ingested { id, customer_id: id, result, affected: vec![id] });
    }
    Ok(results.into_iter().map(|r| r.expect("every sync answered")).collect())
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

    fn sync(value: serde_json::Value) -> CustomerSync {
        parse_customer_sync(&value, "$").unwrap()
    }

    /// A batch stores what the same syncs one at a time would: the same id twice is one customer with the
    /// later row's name, rows without an id find the customer they were sent as before, and the batch
    /// sent again changes nothing.
    #[sqlx::test(migrations = "../migrations")]
    async fn a_batch_of_customers_is_stored_as_one_at_a_time_would(pool: sqlx::PgPool) {
        let ws = crate::accounts::db::create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let now = "2026-11-01T12:00:00Z".parse().unwrap();
        let batch = vec![
            sync(json!({"channel": "shop", "channel_kind": "shopify", "external_id": "1", "email": "ann@example.com",
                        "first_name": "Ann", "company": "Ann & Co",
                        "shipping_address": {"line1": "1 Main St", "city": "Graz", "country": "AT"}})),
            sync(json!({"channel": "shop", "external_id": "2", "email": "bob@example.com", "first_name": "Bob",
                        "phones": ["+43 316 123456"]})),
            sync(json!({"channel": "shop", "external_id": "1", "first_name": "Anna"})),
            sync(json!({"channel": "shop", "email": "cleo@example.com", "first_name": "Cleo"})),
            sync(json!({"channel": "shop", "email": "cleo@example.com", "last_name": "Nile"})),
        ];
        let mut tx = pool.begin().await.unwrap();
        let stored = ingest_customers(&mut tx, ws, now, &batch).await.unwrap();
        tx.commit().await.unwrap();
        let outcomes: Vec<Outcome> = stored.iter().map(|s| s.result).collect();
        assert_eq!(
            outcomes,
            [Outcome::Created, Outcome::Created, Outcome::Updated, Outcome::Created, Outcome::Updated]
        );
        assert_eq!(stored[0].id, stored[2].id);
        assert_eq!(stored[3].id, stored[4].id);
        let rows: Vec<(Option<String>, String, String, Option<String>)> = sqlx::query_as(
            "select external_id, first_name, last_name, company from customer
              where workspace_id = $1 and channel_id <> (select id from channel where workspace_id = $1 and key = 'manual')
              order by external_id nulls last",
        )
        .bind(ws)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(
            rows,
            [
                (Some("1".into()), "Anna".into(), "".into(), Some("Ann & Co".into())),
                (Some("2".into()), "Bob".into(), "".into(), None),
                (None, "Cleo".into(), "Nile".into(), None),
            ]
        );
        let (city, phones): (String, i64) = sqlx::query_as(
            "select (select city from customer_address where workspace_id = $1 and customer_id = $2),
                    (select count(*) from customer_phone where workspace_id = $1 and customer_id = $3)",
        )
        .bind(ws)
        .bind(stored[0].id)
        .bind(stored[1].id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((city.as_str(), phones), ("Graz", 1));

        let mut tx = pool.begin().await.unwrap();
        let again = ingest_customers(&mut tx, ws, now, &batch).await.unwrap();
        tx.commit().await.unwrap();
        // the first row names Ann again over the third's Anna: a change, as the same syncs one by one would be
        let outcomes: Vec<Outcome> = again.iter().map(|s| s.result).collect();
        assert_eq!(outcomes[1], Outcome::Unchanged);
        assert_eq!(outcomes[3], Outcome::Unchanged);
        let ids: Vec<i64> = again.iter().map(|s| s.id).collect();
        assert_eq!(ids, stored.iter().map(|s| s.id).collect::<Vec<_>>());
    }

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
