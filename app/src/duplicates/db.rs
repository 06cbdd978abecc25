//! The queue of possible duplicates in the database: each customer's blocking keys, the pairs found with
//! their score and reasons, and the pairs dismissed as "not the same". Kept current for the customers
//! written (`refresh`, from the queue `duplicate_check` the writes fill) and filled whole by `scan`.

use super::matching::{
    LISTED_FROM, MAX_BLOCK, Place, Profile, blocking_keys, fold, mailbox, phone_digits, score, through_pairs,
    through_reason,
};
use super::{DuplicatePage, DuplicatePair};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the customers `ids` (those not merged away) are compared by.
pub async fn profiles(conn: &mut PgConnection, workspace_id: i64, ids: &[i64]) -> AppResult<Vec<Profile>> {
    let people = sqlx::query!(
        "select id, first_name, last_name, coalesce(company, '') as \"company!\" from customer
          where workspace_id = $1 and id = any($2) and merged_into_id is null",
        workspace_id,
        ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut profiles: BTreeMap<i64, Profile> = people
        .into_iter()
        .map(|p| {
            let profile = Profile {
                id: p.id,
                first: fold(&p.first_name),
                last: fold(&p.last_name),
                company: fold(&p.company),
                ..Profile::default()
            };
            (p.id, profile)
        })
        .collect();
    let ids: Vec<i64> = profiles.keys().copied().collect();
    for e in sqlx::query!(
        "select customer_id, email from customer_email where workspace_id = $1 and customer_id = any($2)",
        workspace_id,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?
    {
        if let (Some(p), Some(mailbox)) = (profiles.get_mut(&e.customer_id), mailbox(&e.email)) {
            p.emails.insert(mailbox);
        }
    }
    for phone in sqlx::query!(
        "select customer_id, raw from customer_phone where workspace_id = $1 and customer_id = any($2)",
        workspace_id,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?
    {
        if let (Some(p), Some(digits)) = (profiles.get_mut(&phone.customer_id), phone_digits(&phone.raw)) {
            p.phones.insert(digits);
        }
    }
    // their own addresses, and where their latest orders went (a guest has nothing else)
    let places = sqlx::query!(
        r#"select customer_id as "customer_id!", coalesce(line1, '') as "line1!", coalesce(line2, '') as "line2!",
                  coalesce(postal_code, '') as "postal_code!", coalesce(city, '') as "city!"
             from customer_address where workspace_id = $1 and customer_id = any($2)
           union
           select c.id, coalesce(o.shipping_address ->> 'line1', ''), coalesce(o.shipping_address ->> 'line2', ''),
                  coalesce(o.shipping_address ->> 'postal_code', ''),
                  coalesce(o.shipping_address ->> 'city', '')
             from unnest($2::bigint[]) as c(id)
             cross join lateral (select shipping_address from customer_order
                                  where workspace_id = $1 and customer_id = c.id and shipping_address is not null
                                  order by placed_at desc, id desc limit 2) o"#,
        workspace_id,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    for place in places {
        if let Some(p) = profiles.get_mut(&place.customer_id) {
            let place = Place::new(&place.line1, &place.line2, &place.postal_code, &place.city);
            if !p.addresses.contains(&place)
                && !(place.postal_code.is_empty() && place.street.is_empty() && place.city.is_empty())
            {
                p.addresses.push(place);
            }
        }
    }
    Ok(profiles.into_values().collect())
}

/// Writes the blocking keys of `profiles` (replacing what they had; `ids`: every customer looked at, so
/// that one merged away loses its keys).
async fn write_keys(conn: &mut PgConnection, workspace_id: i64, ids: &[i64], profiles: &[Profile]) -> AppResult<()> {
    sqlx::query!("delete from customer_match_key where workspace_id = $1 and customer_id = any($2)", workspace_id, ids)
        .execute(&mut *conn)
        .await?;
    let (customers, keys): (Vec<i64>, Vec<String>) =
        profiles.iter().flat_map(|p| blocking_keys(p).into_iter().map(move |k| (p.id, k))).unzip();
    sqlx::query!(
        "insert into customer_match_key (workspace_id, customer_id, key)
         select $1, * from unnest($2::bigint[], $3::text[]) on conflict do nothing",
        workspace_id,
        &customers,
        &keys
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A pair to list: smaller id first, its score and reasons, and the third customer it was inferred
/// through (none for a pair judged on its own).
#[derive(Debug, Clone, PartialEq)]
struct Found {
    a: i64,
    b: i64,
    score: f64,
    reasons: Vec<String>,
    through: Option<i64>,
}

/// The pairs among `candidates` that are probably one person, each (smaller id, larger id).
async fn judge(
    conn: &mut PgConnection,
    workspace_id: i64,
    candidates: &BTreeSet<(i64, i64)>,
    known: &mut HashMap<i64, Profile>,
) -> AppResult<Vec<Found>> {
    let missing: BTreeSet<i64> =
        candidates.iter().flat_map(|(a, b)| [*a, *b]).filter(|id| !known.contains_key(id)).collect();
    let missing: Vec<i64> = missing.into_iter().collect();
    for profile in profiles(conn, workspace_id, &missing).await? {
        known.insert(profile.id, profile);
    }
    Ok(candidates
        .iter()
        .filter_map(|(a, b)| {
            let verdict = score(known.get(a)?, known.get(b)?);
            (verdict.score >= LISTED_FROM).then_some(Found {
                a: *a,
                b: *b,
                score: verdict.score,
                reasons: verdict.reasons,
                through: None,
            })
        })
        .collect())
}

/// The pairs inferred through a third customer from the pairs judged on their own (`links`), for
/// customers whose pairs `links` all hold (`whole`); a pair dismissed as "not the same" is no link.
async fn inferred(
    conn: &mut PgConnection,
    workspace_id: i64,
    links: &[(i64, i64, f64)],
    whole: impl Fn(i64) -> bool,
) -> AppResult<Vec<Found>> {
    let (a, b): (Vec<i64>, Vec<i64>) = links.iter().map(|(a, b, _)| (*a, *b)).unzip();
    let dismissed: BTreeSet<(i64, i64)> = sqlx::query!(
        "select customer_a, customer_b from duplicate_dismissal
          where workspace_id = $1 and (customer_a, customer_b) in (select * from unnest($2::bigint[], $3::bigint[]))",
        workspace_id,
        &a,
        &b
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|d| (d.customer_a, d.customer_b))
    .collect();
    let links: Vec<(i64, i64, f64)> =
        links.iter().copied().filter(|(a, b, _)| !dismissed.contains(&(*a, *b))).collect();
    Ok(through_pairs(&links, whole)
        .into_iter()
        .map(|(a, b, score, through)| Found {
            a,
            b,
            score,
            reasons: vec![through_reason(through)],
            through: Some(through),
        })
        .collect())
}

/// Lists `found` (pairs not dismissed), and takes away the pairs of `customers` (as one of the two, or
/// the third a pair was inferred through) not among them; `None`: every pair.
async fn write_pairs(
    conn: &mut PgConnection,
    workspace_id: i64,
    customers: Option<&[i64]>,
    found: &[Found],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let a: Vec<i64> = found.iter().map(|f| f.a).collect();
    let b: Vec<i64> = found.iter().map(|f| f.b).collect();
    let scores: Vec<f32> = found.iter().map(|f| f.score as f32).collect();
    // text[] per pair, as one JSON array each
    let reasons: Vec<Value> = found.iter().map(|f| serde_json::json!(f.reasons)).collect();
    let throughs: Vec<Option<i64>> = found.iter().map(|f| f.through).collect();
    sqlx::query!(
        "delete from duplicate_pair d
          where d.workspace_id = $1
            and ($2::bigint[] is null or d.customer_a = any($2) or d.customer_b = any($2) or d.through = any($2))
            and (d.customer_a, d.customer_b) not in (select * from unnest($3::bigint[], $4::bigint[]))",
        workspace_id,
        customers as Option<&[i64]>,
        &a,
        &b
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into duplicate_pair (workspace_id, customer_a, customer_b, score, reasons, through, found_at)
         select $1, v.a, v.b, v.score, array(select jsonb_array_elements_text(v.reasons)), v.through, $7
           from unnest($2::bigint[], $3::bigint[], $4::real[], $5::jsonb[], $6::bigint[])
                as v(a, b, score, reasons, through)
          where not exists (select 1 from duplicate_dismissal x
                             where x.workspace_id = $1 and x.customer_a = v.a and x.customer_b = v.b)
         on conflict (workspace_id, customer_a, customer_b)
         do update set score = excluded.score, reasons = excluded.reasons, through = excluded.through",
        workspace_id,
        &a,
        &b,
        &scores,
        &reasons,
        &throughs as &[Option<i64>],
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Compares the customers `ids` again (they were written): their keys, then their pairs with every
/// customer sharing a key.
pub async fn refresh(conn: &mut PgConnection, workspace_id: i64, ids: &[i64], now: DateTime<Utc>) -> AppResult<()> {
    let mine = profiles(conn, workspace_id, ids).await?;
    write_keys(conn, workspace_id, ids, &mine).await?;
    let pairs = sqlx::query!(
        r#"select distinct least(k.customer_id, m.customer_id) as "a!", greatest(k.customer_id, m.customer_id) as "b!"
             from customer_match_key k
             join customer_match_key m on m.workspace_id = k.workspace_id and m.key = k.key
                                      and m.customer_id <> k.customer_id
            where k.workspace_id = $1 and k.customer_id = any($2)
              and (select count(*) from (select 1 from customer_match_key x
                                          where x.workspace_id = k.workspace_id and x.key = k.key
                                          limit $3) block) < $3"#,
        workspace_id,
        ids,
        (MAX_BLOCK + 1) as i64
    )
    .fetch_all(&mut *conn)
    .await?;
    let candidates: BTreeSet<(i64, i64)> = pairs.into_iter().map(|p| (p.a, p.b)).collect();
    let mut known: HashMap<i64, Profile> = mine.into_iter().map(|p| (p.id, p)).collect();
    let mut found = judge(conn, workspace_id, &candidates, &mut known).await?;
    // the pairs through a third that may have changed: theirs, and those through them. Every pair judged
    // on its own of the customers listed with them, before or now, is read (theirs as found); a pair of
    // two of those through another customer is inferred again by the next scan
    let before = sqlx::query!(
        "select customer_a, customer_b from duplicate_pair
          where workspace_id = $1 and through is null and (customer_a = any($2) or customer_b = any($2))",
        workspace_id,
        ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let compared: BTreeSet<i64> = ids.iter().copied().collect();
    let mut whole = compared.clone();
    whole.extend(before.iter().flat_map(|p| [p.customer_a, p.customer_b]));
    whole.extend(found.iter().flat_map(|f| [f.a, f.b]));
    let around: Vec<i64> = whole.iter().copied().collect();
    let mut links: Vec<(i64, i64, f64)> = sqlx::query!(
        "select customer_a, customer_b, score from duplicate_pair
          where workspace_id = $1 and through is null and (customer_a = any($2) or customer_b = any($2))",
        workspace_id,
        &around
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter(|p| !compared.contains(&p.customer_a) && !compared.contains(&p.customer_b))
    .map(|p| (p.customer_a, p.customer_b, f64::from(p.score)))
    .collect();
    links.extend(found.iter().map(|f| (f.a, f.b, f.score)));
    found.extend(inferred(conn, workspace_id, &links, |id| whole.contains(&id)).await?);
    write_pairs(conn, workspace_id, Some(ids), &found, now).await
}

/// How many customers a scan reads at once.
const SCAN_BATCH: i64 = 2_000;
/// How many candidate pairs a scan judges at once (their profiles are read together).
const JUDGED_AT_ONCE: usize = 5_000;

/// What a scan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scanned {
    pub customers: i64,
    pub candidates: usize,
    pub listed: usize,
}

/// Compares every customer of the workspace with those sharing a key, and lists the pairs found
/// (replacing the list; dismissed pairs stay away). `progress` hears how far it got. The keys are
/// gathered in a temporary table without indexes and the blocks read from it sorted; the workspace's
/// keys then get only what differs (written customer by customer into the keys' indexes, or deleted and
/// written again, the keys of 1,000,000 customers took many minutes).
pub async fn scan(
    pool: &PgPool,
    workspace_id: i64,
    now: DateTime<Utc>,
    progress: &mut (dyn FnMut(&str) + Send),
) -> AppResult<Scanned> {
    use sqlx::Connection;
    let mut conn = pool.acquire().await?;
    // (run-time statements: the temporary table is this connection's only)
    sqlx::query("create temporary table if not exists scan_key (customer_id bigint not null, key text not null)")
        .execute(&mut *conn)
        .await?;
    sqlx::query("truncate scan_key").execute(&mut *conn).await?;
    let mut after = 0_i64;
    let mut customers = 0;
    loop {
        let ids = sqlx::query_scalar!(
            "select id from customer where workspace_id = $1 and id > $2 and merged_into_id is null
              order by id limit $3",
            workspace_id,
            after,
            SCAN_BATCH
        )
        .fetch_all(&mut *conn)
        .await?;
        let Some(&last) = ids.last() else { break };
        let (owners, keys): (Vec<i64>, Vec<String>) = profiles(&mut conn, workspace_id, &ids)
            .await?
            .iter()
            .flat_map(|p| blocking_keys(p).into_iter().map(move |k| (p.id, k)))
            .unzip();
        sqlx::query("insert into scan_key select * from unnest($1::bigint[], $2::text[])")
            .bind(&owners)
            .bind(&keys)
            .execute(&mut *conn)
            .await?;
        customers += ids.len() as i64;
        after = last;
        if customers % (SCAN_BATCH * 50) == 0 {
            progress(&format!("{customers} customers read"));
        }
    }
    let blocks: Vec<Vec<i64>> = sqlx::query_scalar(
        "select array_agg(customer_id order by customer_id) from scan_key
          group by key having count(*) between 2 and $1",
    )
    .bind(MAX_BLOCK as i64)
    .fetch_all(&mut *conn)
    .await?;
    let mut candidates = BTreeSet::new();
    for block in blocks {
        for (i, a) in block.iter().enumerate() {
            for b in &block[i + 1..] {
                candidates.insert((*a, *b));
            }
        }
    }
    progress(&format!("{customers} customers read, {} candidate pairs", candidates.len()));
    let all: Vec<(i64, i64)> = candidates.into_iter().collect();
    let mut found = Vec::new();
    for chunk in all.chunks(JUDGED_AT_ONCE) {
        let chunk: BTreeSet<(i64, i64)> = chunk.iter().copied().collect();
        // profiles are read again for each chunk: memory stays bounded whatever the workspace's size
        let mut known = HashMap::new();
        found.extend(judge(&mut conn, workspace_id, &chunk, &mut known).await?);
    }
    let links: Vec<(i64, i64, f64)> = found.iter().map(|f| (f.a, f.b, f.score)).collect();
    let through = inferred(&mut conn, workspace_id, &links, |_| true).await?;
    progress(&format!("{} pairs compared, {} listed, {} more through a third", all.len(), found.len(), through.len()));
    found.extend(through);
    // the keys kept current by the writes are mostly there already: only what differs is written
    sqlx::query("create index on scan_key (customer_id, key)").execute(&mut *conn).await?;
    let mut tx = conn.begin().await?;
    // the pairs written are checked by their two foreign keys each (tens of thousands at a million
    // customers): cached plans
    crate::plans::cache(&mut tx).await?;
    sqlx::query(
        "delete from customer_match_key k
          where k.workspace_id = $1
            and not exists (select 1 from scan_key s where s.customer_id = k.customer_id and s.key = k.key)",
    )
    .bind(workspace_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into customer_match_key (workspace_id, customer_id, key)
         select $1, s.customer_id, s.key from scan_key s
          where not exists (select 1 from customer_match_key k
                             where k.workspace_id = $1 and k.key = s.key and k.customer_id = s.customer_id)
          order by s.key, s.customer_id
         on conflict do nothing",
    )
    .bind(workspace_id)
    .execute(&mut *tx)
    .await?;
    write_pairs(&mut tx, workspace_id, None, &found, now).await?;
    sqlx::query!("delete from duplicate_check where workspace_id = $1", workspace_id).execute(&mut *tx).await?;
    tx.commit().await?;
    sqlx::query("drop table scan_key").execute(&mut *conn).await?;
    Ok(Scanned { customers, candidates: all.len(), listed: found.len() })
}

/// Compares again up to `limit` customers of the queue (the oldest written first), in the caller's
/// transaction; answers how many. Each is taken off the queue at the end, unless it was written again
/// meanwhile (a later `queued_at`): then it stays for the next round. The queue is read without locks, so
/// that a merge or an ingestion queueing the same customers never waits for this.
pub async fn compare_queued(conn: &mut PgConnection, limit: i64, now: DateTime<Utc>) -> AppResult<usize> {
    let rows = sqlx::query!(
        "select workspace_id, customer_id, queued_at from duplicate_check order by queued_at limit $1",
        limit
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut by_workspace: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for r in &rows {
        by_workspace.entry(r.workspace_id).or_default().push(r.customer_id);
    }
    for (workspace_id, customers) in &by_workspace {
        refresh(conn, *workspace_id, customers, now).await?;
    }
    let workspaces: Vec<i64> = rows.iter().map(|r| r.workspace_id).collect();
    let customers: Vec<i64> = rows.iter().map(|r| r.customer_id).collect();
    let times: Vec<DateTime<Utc>> = rows.iter().map(|r| r.queued_at).collect();
    sqlx::query!(
        "delete from duplicate_check d using unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) as v(w, c, at)
          where d.workspace_id = v.w and d.customer_id = v.c and d.queued_at = v.at",
        &workspaces,
        &customers,
        &times
    )
    .execute(&mut *conn)
    .await?;
    Ok(rows.len())
}

/// The customers among `ids` the finder has no keys of (new ones): the others need comparing again only
/// when their names or contacts change.
pub async fn never_compared(conn: &mut PgConnection, workspace_id: i64, ids: &[i64]) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        r#"select v.id as "id!" from unnest($2::bigint[]) as v(id)
            where not exists (select 1 from customer_match_key k where k.workspace_id = $1 and k.customer_id = v.id)"#,
        workspace_id,
        ids
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Puts the customers on the queue to be compared again (after their names, contacts or addresses were
/// written). The time is the bookkeeping clock's (real time: a customer written again while being compared
/// must stay queued, whatever the business clock says).
pub async fn queue(conn: &mut PgConnection, workspace_id: i64, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    // in id order, so that writers queueing the same customers wait for each other instead of deadlocking
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    sqlx::query!(
        "insert into duplicate_check (workspace_id, customer_id, queued_at)
         select $1, id, clock_timestamp() from unnest($2::bigint[]) with ordinality as v(id, n) order by n
         on conflict (workspace_id, customer_id) do update set queued_at = excluded.queued_at",
        workspace_id,
        &ids
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A page of the queue, best first, after the cursor `after` (`score:a:b`).
pub async fn page(pool: &PgPool, workspace_id: i64, limit: i64, after: Option<&str>) -> AppResult<DuplicatePage> {
    let cursor = match after {
        None => None,
        Some(text) => {
            let parts: Vec<&str> = text.split(':').collect();
            match parts.as_slice() {
                [score, a, b] => match (score.parse::<f32>(), a.parse::<i64>(), b.parse::<i64>()) {
                    (Ok(s), Ok(a), Ok(b)) if s.is_finite() => Some((s, a, b)),
                    _ => None,
                },
                _ => None,
            }
            .ok_or_else(|| AppError::invalid("after", "not a cursor this list gave"))
            .map(Some)?
        }
    };
    let (score, a, b) = cursor.unwrap_or((f32::INFINITY, 0, 0));
    let rows = sqlx::query!(
        r#"select d.customer_a, d.customer_b, d.score, d.reasons,
                  concat_ws(' ', nullif(ca.first_name, ''), nullif(ca.last_name, '')) as "name_a!",
                  concat_ws(' ', nullif(cb.first_name, ''), nullif(cb.last_name, '')) as "name_b!"
             from duplicate_pair d
             join customer ca on ca.workspace_id = d.workspace_id and ca.id = d.customer_a
             join customer cb on cb.workspace_id = d.workspace_id and cb.id = d.customer_b
            where d.workspace_id = $1 and ca.merged_into_id is null and cb.merged_into_id is null
              and (d.score < $2 or (d.score = $2 and (d.customer_a, d.customer_b) > ($3, $4)))
            order by d.score desc, d.customer_a, d.customer_b
            limit $5"#,
        workspace_id,
        score,
        a,
        b,
        limit + 1
    )
    .fetch_all(pool)
    .await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<DuplicatePair> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| DuplicatePair {
            customers: [r.customer_a, r.customer_b],
            names: [r.name_a, r.name_b],
            score: f64::from(r.score),
            reasons: r.reasons,
        })
        .collect();
    let next = more
        .then(|| items.last().map(|p| format!("{}:{}:{}", p.score as f32, p.customers[0], p.customers[1])))
        .flatten();
    Ok(DuplicatePage { items, next })
}

/// Dismisses the pair as "not the same" for good.
pub async fn dismiss(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: Option<i64>,
    now: DateTime<Utc>,
    pair: [i64; 2],
) -> AppResult<()> {
    let (a, b) = (pair[0].min(pair[1]), pair[0].max(pair[1]));
    if a == b {
        return Err(AppError::invalid("customers", "two different customers"));
    }
    let found = sqlx::query_scalar!(
        "select count(*) from customer where workspace_id = $1 and id = any($2)",
        workspace_id,
        &[a, b][..]
    )
    .fetch_one(&mut *conn)
    .await?;
    if found != Some(2) {
        return Err(AppError::NotFound);
    }
    sqlx::query!(
        "insert into duplicate_dismissal (workspace_id, customer_a, customer_b, dismissed_by, dismissed_at)
         values ($1, $2, $3, $4, $5) on conflict do nothing",
        workspace_id,
        a,
        b,
        actor,
        now
    )
    .execute(&mut *conn)
    .await?;
    // the pair, and what was inferred through it; the two are compared again (other links may hold)
    sqlx::query!(
        "delete from duplicate_pair
          where workspace_id = $1
            and ((customer_a = $2 and customer_b = $3)
                 or (through = $2 and $3 in (customer_a, customer_b))
                 or (through = $3 and $2 in (customer_a, customer_b)))",
        workspace_id,
        a,
        b
    )
    .execute(&mut *conn)
    .await?;
    queue(conn, workspace_id, &[a, b]).await?;
    Ok(())
}
