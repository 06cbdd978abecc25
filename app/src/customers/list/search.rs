//! The list's search (SPEC §4): names, emails, phones in any format and order numbers as typed, and,
//! when nothing matches as typed, close spellings (pg_trgm over the dictionary of name words and the
//! addresses). What matches is collected before the list's statement when it is few enough.

use crate::customers::types::COUNT_CAP;
use crate::error::AppResult;
use sqlx::{PgConnection, Postgres, QueryBuilder};

/// How the search text matches, with what was looked up before the list's query.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(super) struct Search {
    /// Customers found by other means than their search text: an order with the number searched for
    /// and, for close matches, an email address a typo or two away (pg_trgm similarity of the whole
    /// address, so that a shared domain alone does not match).
    pub found: Vec<i64>,
    /// For close matches (asked for when nothing matches exactly): for every word of the text, the close
    /// words found in the dictionary of name words.
    pub close_words: Option<Vec<Vec<String>>>,
    /// Every customer matching, `found` included, when they are at most `MATCHES_LISTED`: the list's
    /// queries then test each customer against this list (hashed) instead of looking up the customer's
    /// search text.
    pub matches: Option<Vec<i64>>,
    /// Whether more than `MATCHES_LISTED` customers match (none were kept): as many as that are more
    /// than the count shows, so a search alone is not counted again.
    pub more_than_listed: bool,
    /// How many matches were seen while collecting: up to the larger of `MATCHES_LISTED` and
    /// `COUNT_CAP`, plus one, so that a search matching more than the count shows is known as such.
    pub seen: i64,
}

/// Up to how many matches of a search are collected before the list's queries (`Search::matches`). A
/// search matching more is broad enough that walking a sort finds a page of them within a few thousand
/// customers. (Three in tests, so that they take both ways.)
pub(super) const MATCHES_LISTED: i64 = if cfg!(test) { 3 } else { 20_000 };

/// The digits of a search text that could be a phone number (digits and the signs numbers are written
/// with): national numbers drop their trunk zero, which makes them a part of the E.164 digits; fewer
/// than four digits do not search phones.
fn phone_digits(q: &str) -> Option<String> {
    if !q.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c)) {
        return None;
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    (digits.len() >= 4).then(|| digits.to_string())
}

/// From how many matches collected a search alone is tested as a hashed subquery rather than a
/// constant: planning `c.id = any(…)` estimates each element on its own (9,446 of them: 8–15 ms), and a
/// page of that many is found within a few thousand customers along any sort.
const MATCHES_HASHED: usize = if cfg!(test) { 2 } else { 4_000 };

/// Name, email, phone (any format) and order number (with or without `#`): the customers matched
/// beforehand, or else the customers' search texts. `alone`: nothing else narrows the list.
pub(super) fn push_search(
    sql: &mut QueryBuilder<'_, Postgres>,
    workspace_id: i64,
    q: &str,
    search: &Search,
    alone: bool,
) {
    if let Some(matches) = &search.matches {
        if alone && matches.len() >= MATCHES_HASHED {
            // a subquery under `is true` is not turned into a join: it is run once into a hash table,
            // and the planner, which then guesses half the customers match, walks the sort's index
            sql.push(" and (c.id in (select unnest(").push_bind(matches.clone()).push("::bigint[]))) is true");
        } else {
            // planned as a constant (the pool plans each statement for its values): a hashed test per
            // row, and the planner knows how many match, which matters when other filters combine
            sql.push(" and c.id = any(").push_bind(matches.clone()).push(")");
        }
        return;
    }
    sql.push(" and c.id in (");
    push_matching(sql, workspace_id, q, search, "s.customer_id");
    sql.push(")");
}

/// `select` of the customers matching `q` with what the name and registration sorts read, as `id`,
/// `last_name`, `first_name`, `registered_at`, read where they are found: the search texts carry them
/// (migrations `search_names`, `search_registration`).
pub(super) fn push_sorted_where_found(
    sql: &mut QueryBuilder<'_, Postgres>,
    workspace_id: i64,
    q: &str,
    search: &Search,
) {
    push_matching(sql, workspace_id, q, search, "s.customer_id as id, s.last_name, s.first_name, s.registered_at");
}

/// `select` of the customers whose search text (names, addresses and phone digits, migration
/// `customer_search`, through its trigram index) matches, and of those found beforehand. With close words
/// (asked for only when the text as typed matched nobody) the text is not searched for again.
fn push_matching(sql: &mut QueryBuilder<'_, Postgres>, workspace_id: i64, q: &str, search: &Search, columns: &str) {
    sql.push(format!("select {columns} from customer_search s where s.workspace_id = ")).push_bind(workspace_id);
    sql.push(" and ");
    push_text_matches(sql, q, search, "s");
    if !search.found.is_empty() {
        // every customer the list shows has a search text (migration `search_unmerged`)
        sql.push(format!(" union select {columns} from customer_search s where s.workspace_id = "));
        sql.push_bind(workspace_id).push(" and s.customer_id = any(").push_bind(search.found.clone()).push(")");
    }
}

/// Whether the search text of `table` (a row of `customer_search`) matches: `q` as typed (or, with close
/// words, every word by one of its close spellings), as a condition in parentheses.
fn push_text_matches(sql: &mut QueryBuilder<'_, Postgres>, q: &str, search: &Search, table: &str) {
    let text = format!("{table}.search_text");
    let pattern = |words: &str| format!("%{}%", escape_like(&search_words(words)));
    match &search.close_words {
        None => {
            sql.push(format!("({text} like ")).push_bind(pattern(&q.to_lowercase()));
            if let Some(digits) = phone_digits(q) {
                sql.push(format!(" or {text} like ")).push_bind(pattern(&digits));
            }
            sql.push(")");
        }
        // every word by one of its close spellings
        Some(words) if !words.is_empty() && words.iter().all(|close| !close.is_empty()) => {
            sql.push("(true");
            for close in words {
                let patterns: Vec<String> = close.iter().map(|word| pattern(word)).collect();
                sql.push(format!(" and {text} like any(")).push_bind(patterns).push(")");
            }
            sql.push(")");
        }
        // a word with no close spelling: no name matches
        Some(_) => {
            sql.push("false");
        }
    }
}

/// The signs found inside names and addresses, which pg_trgm takes for breaks between words, and the
/// capitals the search texts hold them as (migration `search_words`, whose SQL function of the same name
/// this one must equal; the texts are otherwise lower case): "o'b" has no three letters in a row to look
/// up, "oAb" has.
const SIGNS_AS_CAPITALS: [(char, char); 7] =
    [('\'', 'A'), ('’', 'B'), ('-', 'C'), ('.', 'D'), ('@', 'E'), ('_', 'F'), ('+', 'G')];

/// Lower-case `text` as the search texts hold it.
pub(super) fn search_words(text: &str) -> String {
    text.chars()
        .map(|c| SIGNS_AS_CAPITALS.iter().find(|(sign, _)| *sign == c).map_or(c, |(_, capital)| *capital))
        .collect()
}

/// Whether a row of search texts (`table`, with its `search_text` and the customer's `id`) matches, found
/// beforehand included: the condition `push_matching` selects by, for one row at a time.
pub(super) fn push_row_matches(sql: &mut QueryBuilder<'_, Postgres>, q: &str, search: &Search, table: &str) {
    sql.push("(");
    push_text_matches(sql, q, search, table);
    if !search.found.is_empty() {
        sql.push(format!(" or {table}.id = any(")).push_bind(search.found.clone()).push(")");
    }
    sql.push(")");
}

/// Collects the customers matching `q` into `search.matches` when they are few enough.
/// `listed`: up to how many are kept (`MATCHES_LISTED`, fewer for a list read where the matches are
/// found, `sorted_where_found`).
pub(super) async fn collect_matches(
    conn: &mut PgConnection,
    workspace_id: i64,
    q: &str,
    search: &mut Search,
    listed: i64,
) -> AppResult<()> {
    search.matches = None;
    search.more_than_listed = false;
    let mut sql = QueryBuilder::<Postgres>::new("select customer_id from (");
    push_matching(&mut sql, workspace_id, q, search, "s.customer_id");
    sql.push(") matching limit ").push_bind(listed.max(COUNT_CAP) + 1);
    let ids: Vec<i64> = sql.build_query_scalar().fetch_all(conn).await?;
    search.seen = ids.len() as i64;
    if ids.len() as i64 <= listed {
        search.matches = Some(ids);
    } else {
        search.more_than_listed = true;
    }
    Ok(())
}

/// The customers with an order numbered `q` (with or without its `#`).
pub(super) async fn by_order_number(conn: &mut PgConnection, workspace_id: i64, q: &str) -> AppResult<Vec<i64>> {
    let number = q.trim().trim_start_matches('#');
    Ok(sqlx::query_scalar!(
        "select distinct o.customer_id from customer_order o
           join customer c on c.workspace_id = o.workspace_id and c.id = o.customer_id
          where o.workspace_id = $1 and o.number in ($2, '#' || $2) and c.merged_into_id is null",
        workspace_id,
        number
    )
    .fetch_all(conn)
    .await?)
}

/// Makes user text match literally inside a LIKE pattern.
pub(super) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Words of a search text looked up for typos; the rest must match as typed.
const MAX_SEARCH_WORDS: usize = 4;

/// Asked for when nothing matches `q` as typed: the close spellings of its words into
/// `search.close_words`, and the customers with an address close to it into `search.found`.
pub(super) async fn look_for_close_matches(
    tx: &mut PgConnection,
    workspace_id: i64,
    q: &str,
    search: &mut Search,
) -> AppResult<()> {
    // nothing matches as typed: look for close matches ("Normen" finds "Norman"). Each word of the
    // text is looked up among the words of the workspace's names (a small dictionary: one wrong
    // letter in a six-letter word still scores 0.4), and names are then searched for the words
    // found; a whole email address must be closer (0.6, above pg_trgm's default of 0.3) not to
    // match on its domain alone.
    let text = q.to_lowercase();
    let words: Vec<String> = text.split_whitespace().take(MAX_SEARCH_WORDS).map(str::to_string).collect();
    sqlx::query!("select set_config('pg_trgm.similarity_threshold', '0.4', true) as threshold")
        .fetch_one(&mut *tx)
        .await?;
    let close = sqlx::query!(
        r#"select array(select n.word from name_word n
                         where n.workspace_id = $1 and n.word % q.w
                         order by n.word <-> q.w, n.word limit 5) as "close!"
             from unnest($2::text[]) with ordinality q(w, i)
            order by q.i"#,
        workspace_id,
        &words
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| r.close)
    .collect();
    if let Some((local, _)) = text.split_once('@') {
        // an address: among those whose part before the @ is close to the one typed (half its
        // letter triples, migration `customer_search`), the ones close as a whole. A name is not
        // compared with addresses: it is found by its words above.
        sqlx::query!("select set_config('pg_trgm.similarity_threshold', '0.5', true) as threshold")
            .fetch_one(&mut *tx)
            .await?;
        let by_email = sqlx::query_scalar!(
            "select distinct e.customer_id from customer_email e
               join customer c on c.workspace_id = e.workspace_id and c.id = e.customer_id
              where e.workspace_id = $1 and split_part(e.normalized, '@', 1) % $2
                and similarity(e.normalized, $3) >= 0.6 and c.merged_into_id is null",
            workspace_id,
            local,
            text
        )
        .fetch_all(&mut *tx)
        .await?;
        search.found.extend(by_email);
    }
    search.close_words = Some(close);
    Ok(())
}
