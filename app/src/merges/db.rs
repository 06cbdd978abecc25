//! The merge and its undo, each one transaction on the caller's connection (SPEC §9).

use super::{ADDRESSES, COLUMNS, MAX_CUSTOMERS, MergeRequest, Merged, UNDO_DAYS};
use crate::error::{AppError, AppResult};
use crate::timeline::{self, Event};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use std::collections::BTreeMap;

/// The tables whose rows move to the survivor, each remembering its origin (`origin_customer_id`), with
/// the name the merge counts them under. E-mail addresses and phones move unless the survivor has them
/// already; a message follows its ticket.
pub const MOVED: [(&str, &str); 8] = [
    ("customer_order", "orders"),
    ("ticket", "tickets"),
    ("note", "notes"),
    ("task", "tasks"),
    ("file", "files"),
    ("customer_email", "emails"),
    ("customer_phone", "phones"),
    ("event", "events"),
];

/// Where moved e-mail addresses and phones are put in the survivor's order: after its own, and back by
/// the same step when undone (nested merges add one step each).
const CONTACT_STEP: i32 = 1_000_000;

/// Merges `request.merged` into `request.survivor`: checks, locks, copies the chosen fields, moves every
/// record, tombstones the others, recomputes the figures, sentiment and segments of all of them, and
/// records the merge. The caller refreshes VIP after the commit.
pub async fn merge(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: Option<i64>,
    now: DateTime<Utc>,
    request: &MergeRequest,
) -> AppResult<Merged> {
    let survivor = request.survivor;
    let merged = &request.merged;
    let everyone = request.everyone();
    check_request(request, &everyone)?;
    lock(conn, workspace_id, &everyone, true).await?;
    let fields = check_fields(conn, workspace_id, request, &everyone).await?;

    // the survivor's values before, then the chosen ones (the marks: any of them)
    let (names, sources): (Vec<String>, Vec<i64>) = fields.iter().map(|(f, c)| (f.clone(), *c)).unzip();
    let before = sqlx::query_scalar!(
        r#"with chosen as (select * from unnest($3::text[], $4::bigint[]) as t(field, source))
           select jsonb_build_object('vip_mark', s.vip_mark, 'bad_mark', s.bad_mark)
                  || coalesce((select jsonb_object_agg(ch.field, to_jsonb(s) -> ch.field) from chosen ch
                                where to_jsonb(s) ? ch.field), '{}')
                  || coalesce((select jsonb_object_agg(ch.field, (select to_jsonb(a) from customer_address a
                                                                   where a.workspace_id = s.workspace_id
                                                                     and a.customer_id = s.id
                                                                     and a.kind = split_part(ch.field, '_', 1)))
                                 from chosen ch where ch.field in ('billing_address', 'shipping_address')), '{}')
                  || coalesce((select jsonb_object_agg(ch.field, (select to_jsonb(v) from custom_field_value v
                                                                   join custom_field f on f.workspace_id = v.workspace_id
                                                                                      and f.id = v.field_id
                                                                  where v.workspace_id = s.workspace_id
                                                                    and v.customer_id = s.id
                                                                    and f.key = substr(ch.field, 8)))
                                 from chosen ch where ch.field like 'custom.%'), '{}') as "before!"
             from customer s where s.workspace_id = $1 and s.id = $2"#,
        workspace_id,
        survivor,
        &names,
        &sources
    )
    .fetch_one(&mut *conn)
    .await?;
    copy_chosen(conn, workspace_id, survivor, &fields, &everyone).await?;

    // thousands of rows point at another customer, each checked by its foreign key: cached plans
    let planning = crate::plans::cache(conn).await?;
    let mut moved = BTreeMap::new();
    for (table, name) in MOVED {
        moved.insert(name.to_string(), move_rows(conn, workspace_id, table, survivor, merged).await?);
    }
    crate::plans::restore(conn, &planning).await?;
    merge_into(conn, workspace_id, merged, Some(survivor), now).await?;
    recompute(conn, workspace_id, &everyone, now).await?;

    let merge_id = sqlx::query_scalar!(
        "insert into customer_merge (workspace_id, survivor_id, merged_ids, merged_by, merged_at, fields,
                                     survivor_before, moved)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        workspace_id,
        survivor,
        merged,
        actor,
        now,
        serde_json::to_value(&fields).expect("serialises"),
        before,
        serde_json::to_value(&moved).expect("serialises")
    )
    .fetch_one(&mut *conn)
    .await?;
    let event = Event::Merged { merge_id, merged: merged.clone(), fields, moved: moved.clone() };
    timeline::record(conn, workspace_id, survivor, actor, now, event).await?;
    crate::duplicates::db::queue(conn, workspace_id, &everyone).await?;
    Ok(Merged { merge_id, survivor, moved })
}

/// Undoes merge `merge_id`: the customers it merged away are back with every record whose origin is
/// theirs (records that arrived since included), the survivor's fields as they were before it, and the
/// figures of all recomputed. Refused (409, with the reason) when undone already, older than
/// `UNDO_DAYS`, or when a later merge involves the survivor. Returns the customers, survivor first.
pub async fn undo(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: Option<i64>,
    now: DateTime<Utc>,
    merge_id: i64,
) -> AppResult<Vec<i64>> {
    let merge = sqlx::query!(
        "select survivor_id, merged_ids, merged_at, survivor_before, undone_at
           from customer_merge where workspace_id = $1 and id = $2 for update",
        workspace_id,
        merge_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    if merge.undone_at.is_some() {
        return Err(AppError::Conflict("this merge has been undone already".into()));
    }
    if now - merge.merged_at > chrono::Duration::days(UNDO_DAYS) {
        return Err(AppError::Conflict(format!("a merge can be undone for {UNDO_DAYS} days; this one is older")));
    }
    let survivor = merge.survivor_id;
    let mut everyone = vec![survivor];
    everyone.extend(&merge.merged_ids);
    lock(conn, workspace_id, &everyone, false).await?;
    let later = sqlx::query_scalar!(
        "select id from customer_merge
          where workspace_id = $1 and id > $2 and undone_at is null
            and (survivor_id = $3 or $3 = any(merged_ids))
          order by id desc limit 1",
        workspace_id,
        merge_id,
        survivor
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(later) = later {
        return Err(AppError::Conflict(format!(
            "customer #{survivor} was merged again since (merge {later}): undo that merge first"
        )));
    }

    merge_into(conn, workspace_id, &merge.merged_ids, None, now).await?;
    let family = family(conn, workspace_id, &merge.merged_ids).await?;
    let planning = crate::plans::cache(conn).await?;
    for (table, _) in MOVED {
        move_back(conn, workspace_id, table, survivor, &family).await?;
    }
    crate::plans::restore(conn, &planning).await?;
    restore_survivor(conn, workspace_id, survivor, &merge.survivor_before).await?;
    recompute(conn, workspace_id, &everyone, now).await?;
    sqlx::query!(
        "update customer_merge set undone_at = $3, undone_by = $4 where workspace_id = $1 and id = $2",
        workspace_id,
        merge_id,
        now,
        actor
    )
    .execute(&mut *conn)
    .await?;
    let event = Event::MergeUndone { merge_id, customers: merge.merged_ids.clone() };
    timeline::record(conn, workspace_id, survivor, actor, now, event).await?;
    crate::duplicates::db::queue(conn, workspace_id, &everyone).await?;
    Ok(everyone)
}

/// Records written to customers merged away since (an order or a message for a merged-away customer's
/// channel identity or e-mail, which the tombstone keeps) go on to the customer it was merged into —
/// after merges of merges, the last — each remembering its origin, as the merge moved the others: the
/// survivor shows them and counts them, and an undo sends them back. `written`: the customers just
/// written to, locked by the caller (no merge or undo of them can run meanwhile). Answers each merged-away
/// customer among them with its survivor, whose figures the caller recomputes.
pub async fn forward(conn: &mut PgConnection, workspace_id: i64, written: &[i64]) -> AppResult<BTreeMap<i64, i64>> {
    loop {
        let survivors: BTreeMap<i64, i64> = sqlx::query!(
            r#"with recursive chain(tombstone, survivor) as (
                   select id, merged_into_id from customer
                    where workspace_id = $1 and id = any($2) and merged_into_id is not null
                   union all
                   select ch.tombstone, c.merged_into_id from chain ch
                     join customer c on c.workspace_id = $1 and c.id = ch.survivor
                    where c.merged_into_id is not null)
               select tombstone as "tombstone!", survivor as "survivor!" from chain ch
                where not exists (select 1 from customer c where c.workspace_id = $1 and c.id = ch.survivor
                                                              and c.merged_into_id is not null)"#,
            workspace_id,
            written
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| (r.tombstone, r.survivor))
        .collect();
        if survivors.is_empty() {
            return Ok(survivors);
        }
        let mut ids: Vec<i64> = survivors.values().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        // a survivor merged on meanwhile (a merge that committed between the read and the lock): again
        let live = sqlx::query_scalar!(
            "select id from customer where workspace_id = $1 and id = any($2) and merged_into_id is null
              order by id for no key update",
            workspace_id,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?;
        if live.len() != ids.len() {
            continue;
        }
        for survivor in ids {
            let merged: Vec<i64> = survivors.iter().filter(|(_, s)| **s == survivor).map(|(t, _)| *t).collect();
            for (table, _) in MOVED {
                move_rows(conn, workspace_id, table, survivor, &merged).await?;
            }
        }
        return Ok(survivors);
    }
}

/// The customer `id` was merged into — after merges of merges, the last — or `None` when it was not
/// merged away (or is not a customer of the workspace).
pub async fn survivor_of<'e>(db: impl sqlx::PgExecutor<'e>, workspace_id: i64, id: i64) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        r#"with recursive chain(id, next) as (
               select id, merged_into_id from customer where workspace_id = $1 and id = $2
               union all
               select c.id, c.merged_into_id from chain ch join customer c on c.workspace_id = $1 and c.id = ch.next)
           select id as "id!" from chain where next is null and id <> $2"#,
        workspace_id,
        id
    )
    .fetch_optional(db)
    .await?)
}

fn check_request(request: &MergeRequest, everyone: &[i64]) -> AppResult<()> {
    if request.merged.is_empty() || everyone.len() > MAX_CUSTOMERS {
        return Err(AppError::invalid("merged", format!("a merge takes 2 to {MAX_CUSTOMERS} customers")));
    }
    let mut distinct = everyone.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != everyone.len() {
        return Err(AppError::invalid("merged", "each customer once, the survivor not among those merged"));
    }
    Ok(())
}

/// Locks the customers' rows in id order (two merges of overlapping customers wait for each other rather
/// than deadlock; ingestion for them waits too): all must exist (404) and, for a merge, none be merged
/// away (409).
async fn lock(conn: &mut PgConnection, workspace_id: i64, everyone: &[i64], merging: bool) -> AppResult<()> {
    let rows = sqlx::query!(
        "select id, merged_into_id from customer where workspace_id = $1 and id = any($2) order by id for update",
        workspace_id,
        everyone
    )
    .fetch_all(&mut *conn)
    .await?;
    if rows.len() != everyone.len() {
        return Err(AppError::NotFound);
    }
    if let Some(gone) = rows.iter().find(|r| merging && r.merged_into_id.is_some()) {
        return Err(AppError::Conflict(format!(
            "customer #{} was merged into #{} already",
            gone.id,
            gone.merged_into_id.unwrap_or_default()
        )));
    }
    Ok(())
}

/// The chosen fields by their column (`first_name`, `manager_id`, `billing_address`, `custom.<key>`), each
/// naming one of the customers; the survivor's own choices are left out (nothing to copy).
async fn check_fields(
    conn: &mut PgConnection,
    workspace_id: i64,
    request: &MergeRequest,
    everyone: &[i64],
) -> AppResult<BTreeMap<String, i64>> {
    let custom = crate::custom_fields::fields(&mut *conn, workspace_id).await?;
    let mut fields = BTreeMap::new();
    let mut errors = Vec::new();
    for (field, source) in &request.fields {
        let column = COLUMNS
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, column)| column.to_string())
            .or_else(|| ADDRESSES.iter().any(|(name, _)| name == field).then(|| field.clone()))
            .or_else(|| {
                field.strip_prefix("custom.").filter(|key| custom.iter().any(|f| f.key == *key)).map(|_| field.clone())
            });
        match column {
            None => errors.push(crate::error::FieldError {
                path: format!("fields.{field}"),
                message: "not a single-valued field of a customer".into(),
            }),
            Some(_) if !everyone.contains(source) => errors.push(crate::error::FieldError {
                path: format!("fields.{field}"),
                message: format!("customer #{source} is not one of those merged"),
            }),
            Some(column) if *source != request.survivor => {
                fields.insert(column, *source);
            }
            Some(_) => {}
        }
    }
    if errors.is_empty() { Ok(fields) } else { Err(AppError::Invalid(errors)) }
}

/// Writes the chosen values onto the survivor: columns from the chosen customers' rows, the marks if any
/// of them has one, addresses and custom-field values copied whole (or removed, when the chosen customer
/// has none).
async fn copy_chosen(
    conn: &mut PgConnection,
    workspace_id: i64,
    survivor: i64,
    fields: &BTreeMap<String, i64>,
    everyone: &[i64],
) -> AppResult<()> {
    let (names, sources): (Vec<String>, Vec<i64>) = fields.iter().map(|(f, c)| (f.clone(), *c)).unzip();
    sqlx::query!(
        r#"with chosen as (select * from unnest($3::text[], $4::bigint[]) as t(field, source)),
                taken as (
                    select coalesce(jsonb_object_agg(ch.field, to_jsonb(x) -> ch.field), '{}') as v
                      from chosen ch join customer x on x.workspace_id = $1 and x.id = ch.source
                     where to_jsonb(x) ? ch.field),
                marks as (
                    select bool_or(vip_mark) as vip, bool_or(bad_mark) as bad from customer
                     where workspace_id = $1 and id = any($5))
           update customer s
              set (first_name, last_name, company, email_subscription, personal_discount, manager_id,
                   contractor_type, legal_name, tax_id, legal_address, bank_name, bank_account, bank_code, comment)
                = (select r.first_name, r.last_name, r.company, r.email_subscription, r.personal_discount,
                          r.manager_id, r.contractor_type, r.legal_name, r.tax_id, r.legal_address, r.bank_name,
                          r.bank_account, r.bank_code, r.comment
                     from jsonb_populate_record(s, (select v from taken)) r),
                  vip_mark = (select vip from marks),
                  bad_mark = (select bad from marks),
                  version = s.version + 1
            where s.workspace_id = $1 and s.id = $2"#,
        workspace_id,
        survivor,
        &names,
        &sources,
        everyone
    )
    .execute(&mut *conn)
    .await?;
    for (field, kind) in ADDRESSES {
        if let Some(source) = fields.get(field) {
            remove_address(conn, workspace_id, survivor, kind).await?;
            sqlx::query!(
                "insert into customer_address (workspace_id, customer_id, kind, name, company, line1, line2, city,
                                               region, postal_code, country, phone)
                 select workspace_id, $2, kind, name, company, line1, line2, city, region, postal_code, country, phone
                   from customer_address where workspace_id = $1 and customer_id = $3 and kind = $4",
                workspace_id,
                survivor,
                source,
                kind
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    for (field, source) in fields.iter().filter(|(f, _)| f.starts_with("custom.")) {
        let key = &field["custom.".len()..];
        remove_custom_value(conn, workspace_id, survivor, key).await?;
        sqlx::query!(
            "insert into custom_field_value (workspace_id, customer_id, field_id, kind, text_value, number_value,
                                             date_value, boolean_value, choice_id)
             select v.workspace_id, $2, v.field_id, v.kind, v.text_value, v.number_value, v.date_value,
                    v.boolean_value, v.choice_id
               from custom_field_value v join custom_field f on f.workspace_id = v.workspace_id and f.id = v.field_id
              where v.workspace_id = $1 and v.customer_id = $3 and f.key = $4",
            workspace_id,
            survivor,
            source,
            key
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The survivor's fields as `before` holds them (the merge's snapshot).
async fn restore_survivor(conn: &mut PgConnection, workspace_id: i64, survivor: i64, before: &Value) -> AppResult<()> {
    sqlx::query!(
        r#"update customer s
              set (first_name, last_name, company, email_subscription, personal_discount, manager_id,
                   contractor_type, legal_name, tax_id, legal_address, bank_name, bank_account, bank_code, comment,
                   vip_mark, bad_mark)
                = (select r.first_name, r.last_name, r.company, r.email_subscription, r.personal_discount,
                          r.manager_id, r.contractor_type, r.legal_name, r.tax_id, r.legal_address, r.bank_name,
                          r.bank_account, r.bank_code, r.comment, r.vip_mark, r.bad_mark
                     from jsonb_populate_record(s, $3) r),
                  version = s.version + 1
            where s.workspace_id = $1 and s.id = $2"#,
        workspace_id,
        survivor,
        before
    )
    .execute(&mut *conn)
    .await?;
    let Value::Object(before) = before else { return Ok(()) };
    for (field, kind) in ADDRESSES {
        if let Some(address) = before.get(field) {
            remove_address(conn, workspace_id, survivor, kind).await?;
            if !address.is_null() {
                sqlx::query!(
                    "insert into customer_address select r.* from jsonb_populate_record(null::customer_address, $1) r",
                    address
                )
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    for (field, value) in before.iter().filter(|(f, _)| f.starts_with("custom.")) {
        remove_custom_value(conn, workspace_id, survivor, &field["custom.".len()..]).await?;
        if !value.is_null() {
            sqlx::query!(
                "insert into custom_field_value select r.* from jsonb_populate_record(null::custom_field_value, $1) r",
                value
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Points the customers `ids` at `survivor` (tombstones), or back at nobody.
async fn merge_into(
    conn: &mut PgConnection,
    workspace_id: i64,
    ids: &[i64],
    survivor: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "update customer set merged_into_id = $3, version = version + 1, updated_at = $4
          where workspace_id = $1 and id = any($2)",
        workspace_id,
        ids,
        survivor,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn remove_address(conn: &mut PgConnection, workspace_id: i64, customer: i64, kind: &str) -> AppResult<()> {
    sqlx::query!(
        "delete from customer_address where workspace_id = $1 and customer_id = $2 and kind = $3",
        workspace_id,
        customer,
        kind
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn remove_custom_value(conn: &mut PgConnection, workspace_id: i64, customer: i64, key: &str) -> AppResult<()> {
    sqlx::query!(
        "delete from custom_field_value v using custom_field f
          where v.workspace_id = $1 and v.customer_id = $2 and f.workspace_id = v.workspace_id
            and f.id = v.field_id and f.key = $3",
        workspace_id,
        customer,
        key
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves the rows of `table` from the merged customers to the survivor, each keeping its first origin;
/// contacts the survivor has already stay where they are. Returns how many moved.
async fn move_rows(
    conn: &mut PgConnection,
    workspace_id: i64,
    table: &str,
    survivor: i64,
    merged: &[i64],
) -> AppResult<i64> {
    // the table names come from `MOVED` only
    let sql = match table {
        "customer_email" | "customer_phone" => {
            // the same address or number counts once (`normalized`; a phone by its E.164 form, else as typed)
            let key = |row: &str| {
                if table == "customer_email" {
                    format!("{row}.normalized")
                } else {
                    format!("coalesce({row}.e164, {row}.raw)")
                }
            };
            let (t, o, d) = (key("t"), key("o"), key("d"));
            format!(
                "update {table} t set customer_id = $2, origin_customer_id = coalesce(t.origin_customer_id, t.customer_id),
                        position = t.position + {CONTACT_STEP}
                  where t.workspace_id = $1 and t.customer_id = any($3)
                    and not exists (select 1 from {table} o where o.workspace_id = $1 and o.customer_id = $2 and {o} = {t})
                    and t.id = (select min(d.id) from {table} d
                                 where d.workspace_id = $1 and d.customer_id = any($3) and {d} = {t})"
            )
        }
        _ => format!(
            "update {table} t set customer_id = $2, origin_customer_id = coalesce(t.origin_customer_id, t.customer_id)
              where t.workspace_id = $1 and t.customer_id = any($3)"
        ),
    };
    let done = sqlx::query(&sql).bind(workspace_id).bind(survivor).bind(merged).execute(&mut *conn).await?;
    Ok(done.rows_affected() as i64)
}

/// Moves back to each customer of `merged` (back from the survivor) the rows of `table` whose origin is
/// that customer or one merged into it before (`family`: each origin with the customer of `merged` it
/// goes back to).
async fn move_back(
    conn: &mut PgConnection,
    workspace_id: i64,
    table: &str,
    survivor: i64,
    family: &[(i64, i64)],
) -> AppResult<()> {
    let position = match table {
        "customer_email" | "customer_phone" => format!(", position = t.position - {CONTACT_STEP}"),
        _ => String::new(),
    };
    let (origins, homes): (Vec<i64>, Vec<i64>) = family.iter().copied().unzip();
    // the table names come from `MOVED` only
    let sql = format!(
        "update {table} t set customer_id = f.home, origin_customer_id = nullif(t.origin_customer_id, f.home){position}
           from unnest($3::bigint[], $4::bigint[]) as f(origin, home)
          where t.workspace_id = $1 and t.customer_id = $2 and t.origin_customer_id = f.origin"
    );
    sqlx::query(&sql).bind(workspace_id).bind(survivor).bind(&origins).bind(&homes).execute(&mut *conn).await?;
    Ok(())
}

/// Each customer of `merged` with itself and every customer merged into it before (their rows go back
/// with it): (origin, the customer of `merged` it belongs to).
async fn family(conn: &mut PgConnection, workspace_id: i64, merged: &[i64]) -> AppResult<Vec<(i64, i64)>> {
    Ok(sqlx::query!(
        r#"with recursive family(origin, home) as (
               select id, id from unnest($2::bigint[]) as m(id)
               union all
               select c.id, f.home from customer c join family f on c.workspace_id = $1 and c.merged_into_id = f.origin)
           select origin as "origin!", home as "home!" from family"#,
        workspace_id,
        merged
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.origin, r.home))
    .collect())
}

/// The figures, sentiment and segment flags of `customers` from their own records, and the memberships of
/// the built-in segments following the flags — quietly: the merge and its undo are the events, and after
/// an undo every timeline reads as if the merge had never happened. Memberships of other segments of
/// customers merged away end.
async fn recompute(conn: &mut PgConnection, workspace_id: i64, customers: &[i64], now: DateTime<Utc>) -> AppResult<()> {
    crate::customers::indicators::recompute(conn, workspace_id, Some(customers), now).await?;
    sqlx::query!(
        "with desired as (
             select c.id as customer_id, s.id as segment_id
               from customer c join segment s on s.workspace_id = c.workspace_id and s.builtin
              where c.workspace_id = $1 and c.id = any($2) and c.merged_into_id is null
                and c.builtin_segments & segment_flag(s.key) <> 0),
         current as (
             select m.customer_id, m.segment_id from segment_membership m
               join segment s on s.workspace_id = m.workspace_id and s.id = m.segment_id
              where m.workspace_id = $1 and m.customer_id = any($2)
                and (s.builtin or exists (select 1 from customer c where c.workspace_id = $1 and c.id = m.customer_id
                                                                   and c.merged_into_id is not null))),
         joined as (
             insert into segment_membership (workspace_id, segment_id, customer_id, joined_at)
             select $1, segment_id, customer_id, $3 from (select * from desired except select * from current) j)
         delete from segment_membership m
          using (select * from current except select * from desired) l
          where m.workspace_id = $1 and m.segment_id = l.segment_id and m.customer_id = l.customer_id",
        workspace_id,
        customers,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
