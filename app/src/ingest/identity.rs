//! Who an order, a message or a customer sync belongs to (SPEC §2): channels appear with their first
//! item, registered customers once per channel, guests once per order; names, emails and phones the
//! channel sends are kept without duplicates. One set-based resolver serves every kind of item (a
//! message or a customer sync is a batch of one).

use super::reader::Reader;
use crate::checks::{e164, is_email_address};
use crate::error::{AppError, AppResult, FieldError};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};

/// Who an order or a message is from, as the channel knows them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomerInput {
    /// The channel's customer id: a registered customer, the same customer whenever it is sent again.
    /// Leave it out for a guest (one customer per order).
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
}

/// The customer part of an item at `path`: `None` (with the reasons in `errors`) when a field is bad.
pub fn parse_customer(value: &Value, path: &str, errors: &mut Vec<FieldError>) -> Option<CustomerInput> {
    let before = errors.len();
    let mut r = Reader::new(value, path, errors);
    let external_id = r.text("external_id", 255);
    let email = r.text("email", 320);
    if let Some(e) = &email
        && !is_email_address(e)
    {
        r.fail("email", format!("{e:?} is not an email address"));
    }
    let first_name = r.text("first_name", 200);
    let last_name = r.text("last_name", 200);
    let phone = r.text("phone", 40);
    drop(r);
    (errors.len() == before).then_some(CustomerInput { external_id, email, first_name, last_name, phone })
}

/// How an item names its customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity<'a> {
    /// A customer the item is already tied to (a re-sent guest order's, an existing ticket's).
    Known(i64),
    /// The channel's customer id: one registered customer per channel and id, created on first sight.
    Registered(&'a str),
    /// A customer of its own, created now: a guest (`registered: false`, one per order) or a customer
    /// sent on its own without a channel customer id.
    New { registered: bool },
}

/// One item's customer to resolve, with the names a new customer starts with.
#[derive(Debug, Clone, Copy)]
pub struct CustomerRef<'a> {
    pub channel_id: i64,
    pub identity: Identity<'a>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
}

impl<'a> CustomerRef<'a> {
    pub fn new(channel_id: i64, identity: Identity<'a>, customer: &'a CustomerInput) -> Self {
        CustomerRef {
            channel_id,
            identity,
            first_name: customer.first_name.as_deref(),
            last_name: customer.last_name.as_deref(),
        }
    }
}

/// The customer an item resolved to, and whether this call created it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub id: i64,
    pub created: bool,
}

/// The customer of each item, in order, in a few statements whatever their number: registered
/// customers found or created (in key order, so that concurrent batches meet in the same order; those
/// already known are read first, since an insert that meets one of them would wait for any batch
/// writing that customer to commit, even to do nothing), new customers created together.
pub async fn resolve_customers(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    refs: &[CustomerRef<'_>],
) -> AppResult<Vec<Resolved>> {
    let mut registered: Vec<(i64, &str, Option<&str>, Option<&str>)> = refs
        .iter()
        .filter_map(|r| match r.identity {
            Identity::Registered(external) => Some((r.channel_id, external, r.first_name, r.last_name)),
            _ => None,
        })
        .collect();
    registered.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    registered.dedup_by(|a, b| (a.0, a.1) == (b.0, b.1));
    let mut ids: HashMap<(i64, String), i64> = HashMap::new();
    let mut created: HashSet<(i64, String)> = HashSet::new();
    let find = async |conn: &mut PgConnection, keys: &[(i64, &str, Option<&str>, Option<&str>)]| {
        let channels: Vec<i64> = keys.iter().map(|r| r.0).collect();
        let externals: Vec<&str> = keys.iter().map(|r| r.1).collect();
        sqlx::query!(
            r#"select c.id, c.channel_id, c.external_id as "external_id!" from customer c
                 join unnest($2::bigint[], $3::text[]) as k(channel_id, external_id)
                   on c.channel_id = k.channel_id and c.external_id = k.external_id
                where c.workspace_id = $1"#,
            workspace_id,
            &channels,
            &externals as &[&str]
        )
        .fetch_all(&mut *conn)
        .await
    };
    if !registered.is_empty() {
        ids.extend(find(conn, &registered).await?.into_iter().map(|r| ((r.channel_id, r.external_id), r.id)));
    }
    let missing: Vec<_> = registered.into_iter().filter(|r| !ids.contains_key(&(r.0, r.1.to_string()))).collect();
    if !missing.is_empty() {
        let channels: Vec<i64> = missing.iter().map(|r| r.0).collect();
        let externals: Vec<&str> = missing.iter().map(|r| r.1).collect();
        let first: Vec<Option<&str>> = missing.iter().map(|r| r.2).collect();
        let last: Vec<Option<&str>> = missing.iter().map(|r| r.3).collect();
        // another batch may create one of them meanwhile: then theirs is found below
        let inserted = sqlx::query!(
            r#"insert into customer (workspace_id, channel_id, external_id, registered, first_name, last_name,
                                     registered_at)
               select $1, channel_id, external_id, true, coalesce(first_name, ''), coalesce(last_name, ''), $6
                 from unnest($2::bigint[], $3::text[], $4::text[], $5::text[])
                      with ordinality as v(channel_id, external_id, first_name, last_name, n)
                order by n
               on conflict (workspace_id, channel_id, external_id) do nothing
               returning id, channel_id, external_id as "external_id!""#,
            workspace_id,
            &channels,
            &externals as &[&str],
            &first as &[Option<&str>],
            &last as &[Option<&str>],
            now
        )
        .fetch_all(&mut *conn)
        .await?;
        for row in inserted {
            created.insert((row.channel_id, row.external_id.clone()));
            ids.insert((row.channel_id, row.external_id), row.id);
        }
        let lost: Vec<_> = missing.into_iter().filter(|r| !ids.contains_key(&(r.0, r.1.to_string()))).collect();
        if !lost.is_empty() {
            ids.extend(find(conn, &lost).await?.into_iter().map(|r| ((r.channel_id, r.external_id), r.id)));
        }
    }
    let new: Vec<&CustomerRef> = refs.iter().filter(|r| matches!(r.identity, Identity::New { .. })).collect();
    let new_ids = new_ids(conn, "customer", new.len()).await?;
    if !new.is_empty() {
        let channels: Vec<i64> = new.iter().map(|r| r.channel_id).collect();
        let registered: Vec<bool> =
            new.iter().map(|r| matches!(r.identity, Identity::New { registered: true })).collect();
        let first: Vec<Option<&str>> = new.iter().map(|r| r.first_name).collect();
        let last: Vec<Option<&str>> = new.iter().map(|r| r.last_name).collect();
        sqlx::query!(
            "insert into customer (workspace_id, id, channel_id, registered, first_name, last_name, registered_at)
             select $1, id, channel_id, registered, coalesce(first_name, ''), coalesce(last_name, ''), $7
               from unnest($2::bigint[], $3::bigint[], $4::boolean[], $5::text[], $6::text[])
                    as v(id, channel_id, registered, first_name, last_name)",
            workspace_id,
            &new_ids,
            &channels,
            &registered,
            &first as &[Option<&str>],
            &last as &[Option<&str>],
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    let mut new_ids = new_ids.into_iter();
    Ok(refs
        .iter()
        .map(|r| match r.identity {
            Identity::Known(id) => Resolved { id, created: false },
            Identity::Registered(external) => {
                let key = (r.channel_id, external.to_string());
                Resolved { id: ids[&key], created: created.contains(&key) }
            }
            Identity::New { .. } => Resolved { id: new_ids.next().expect("one new customer each"), created: true },
        })
        .collect())
}

/// `n` fresh ids of `table`, taken before inserting so that rows inserted together can be told apart.
pub(super) async fn new_ids(conn: &mut PgConnection, table: &str, n: usize) -> AppResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar!(
        r#"select nextval(pg_get_serial_sequence($1, 'id')) as "id!" from generate_series(1, $2::int)"#,
        table,
        n as i32
    )
    .fetch_all(&mut *conn)
    .await?)
}

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

/// Keeps the names, email and phone the channel sends with each item, without duplicating what is
/// already stored — by the customer, or by it before a merge moved it to the survivor (its origin) — items
/// are applied in order (a later name wins), in three statements whatever their number. Returns the
/// customers whose names, emails or phones changed.
pub async fn sync_contacts(
    conn: &mut PgConnection,
    workspace_id: i64,
    items: &[(i64, &CustomerInput)],
) -> AppResult<Vec<i64>> {
    let mut changed: Vec<i64> = Vec::new();
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
        changed.extend(
            sqlx::query_scalar!(
                "update customer c
                set first_name = coalesce(v.first_name, c.first_name), last_name = coalesce(v.last_name, c.last_name),
                    updated_at = now()
               from unnest($2::bigint[], $3::text[], $4::text[]) as v(id, first_name, last_name)
              where c.workspace_id = $1 and c.id = v.id
                and (c.first_name is distinct from coalesce(v.first_name, c.first_name)
                     or c.last_name is distinct from coalesce(v.last_name, c.last_name))
             returning c.id",
                workspace_id,
                &ids,
                &first as &[Option<&str>],
                &last as &[Option<&str>]
            )
            .fetch_all(&mut *conn)
            .await?,
        );
    }
    let (ids, emails): (Vec<i64>, Vec<&str>) =
        items.iter().filter_map(|(id, c)| Some((*id, c.email.as_deref()?))).unzip();
    if !ids.is_empty() {
        // New addresses go after the customer's others, in the order they came.
        changed.extend(
            sqlx::query_scalar!(
                "insert into customer_email (workspace_id, customer_id, email, position)
             select $1, v.customer_id, v.email,
                    coalesce((select max(position) from customer_email e
                               where e.workspace_id = $1 and e.customer_id = v.customer_id), -1)
                    + row_number() over (partition by v.customer_id order by v.n)
               from (select distinct on (customer_id, lower(btrim(email))) customer_id, email, n
                       from unnest($2::bigint[], $3::text[]) with ordinality as v(customer_id, email, n)
                      order by customer_id, lower(btrim(email)), n) v
              where not exists (select 1 from customer_email e where e.workspace_id = $1
                                   and e.normalized = lower(btrim(v.email))
                                   and (e.customer_id = v.customer_id or e.origin_customer_id = v.customer_id))
             on conflict (workspace_id, customer_id, normalized) do nothing
             returning customer_id",
                workspace_id,
                &ids,
                &emails as &[&str]
            )
            .fetch_all(&mut *conn)
            .await?,
        );
    }
    let phones: Vec<(i64, &str, Option<String>)> =
        items.iter().filter_map(|(id, c)| c.phone.as_deref().map(|raw| (*id, raw, e164(raw)))).collect();
    if !phones.is_empty() {
        let ids: Vec<i64> = phones.iter().map(|p| p.0).collect();
        let raws: Vec<&str> = phones.iter().map(|p| p.1).collect();
        let normalized: Vec<Option<String>> = phones.iter().map(|p| p.2.clone()).collect();
        // A number already stored, raw or normalised, is not added again.
        changed.extend(
            sqlx::query_scalar!(
                "insert into customer_phone (workspace_id, customer_id, raw, e164, position)
             select $1, v.customer_id, v.raw, v.e164,
                    coalesce((select max(position) from customer_phone p
                               where p.workspace_id = $1 and p.customer_id = v.customer_id), -1)
                    + row_number() over (partition by v.customer_id order by v.n)
               from (select distinct on (customer_id, coalesce(e164, raw)) customer_id, raw, e164, n
                       from unnest($2::bigint[], $3::text[], $4::text[]) with ordinality as v(customer_id, raw, e164, n)
                      order by customer_id, coalesce(e164, raw), n) v
              where not exists (select 1 from customer_phone p where p.workspace_id = $1
                                   and p.customer_id = v.customer_id and (p.raw = v.raw or p.e164 = v.e164))
                and not exists (select 1 from customer_phone p where p.workspace_id = $1
                                   and p.e164 = v.e164 and p.origin_customer_id = v.customer_id)
             returning customer_id",
                workspace_id,
                &ids,
                &raws as &[&str],
                &normalized as &[Option<String>]
            )
            .fetch_all(&mut *conn)
            .await?,
        );
    }
    changed.sort_unstable();
    changed.dedup();
    Ok(changed)
}

/// A customer of the channel known by this email, for messages from people without a channel customer
/// id: their second ticket belongs to the same customer as their first. Customers without a channel id
/// (guests, contacts, added by hand) come first — a registered customer would have sent theirs — then
/// the most recent. An address that moved in a merge counts for the customer it came from (a tombstone,
/// whose records the caller forwards to the survivor: `merges::forward`).
pub async fn customer_by_email(
    conn: &mut PgConnection,
    workspace_id: i64,
    channel_id: i64,
    email: &str,
) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        "select c.id from customer_email e
           join customer c on c.workspace_id = e.workspace_id and c.id = coalesce(e.origin_customer_id, e.customer_id)
          where e.workspace_id = $1 and e.normalized = lower(btrim($3)) and c.channel_id = $2
          order by c.external_id is null desc, c.id desc limit 1",
        workspace_id,
        channel_id,
        email
    )
    .fetch_optional(&mut *conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::db::create_workspace;
    use sqlx::PgPool;

    /// Registered customers once per channel and id, whoever asks and however often; a new customer for
    /// every `New`; a known one as it is.
    #[sqlx::test(migrations = "../migrations")]
    async fn one_resolver_keeps_the_identity_rules(pool: PgPool) {
        let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let now = "2026-11-20T10:00:00Z".parse().unwrap();
        let mut conn = pool.acquire().await.unwrap();
        let shop = channel_id(&mut conn, ws, "shop", Some("shopify")).await.unwrap();
        let ebay = channel_id(&mut conn, ws, "ebay", Some("ebay")).await.unwrap();
        let named =
            |channel_id, identity| CustomerRef { channel_id, identity, first_name: Some("Ann"), last_name: None };
        let first = resolve_customers(
            &mut conn,
            ws,
            now,
            &[
                named(shop, Identity::Registered("C-1")),
                named(shop, Identity::New { registered: false }),
                named(ebay, Identity::Registered("C-1")),
                named(shop, Identity::Registered("C-1")),
                named(shop, Identity::New { registered: false }),
                named(shop, Identity::New { registered: true }),
            ],
        )
        .await
        .unwrap();
        assert_eq!(first[0], first[3], "one customer per channel and id");
        assert_ne!(first[0].id, first[2].id, "the same id on another channel is another customer");
        assert_ne!(first[1].id, first[4].id, "a guest per order");
        assert!(first.iter().all(|r| r.created));
        let again = resolve_customers(
            &mut conn,
            ws,
            now,
            &[named(ebay, Identity::Registered("C-1")), named(shop, Identity::Known(first[1].id))],
        )
        .await
        .unwrap();
        assert_eq!(again, [Resolved { id: first[2].id, created: false }, Resolved { id: first[1].id, created: false }]);
        let rows = sqlx::query!(
            "select id, registered, first_name, external_id from customer where workspace_id = $1 order by id",
            ws
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(rows.len(), 5, "nothing created twice");
        let registered: Vec<bool> =
            [0, 1, 2, 4, 5].iter().map(|&i| rows.iter().find(|r| r.id == first[i].id).unwrap().registered).collect();
        assert_eq!(registered, [true, false, true, false, true]);
        assert!(rows.iter().all(|r| r.first_name == "Ann"));
    }
}
