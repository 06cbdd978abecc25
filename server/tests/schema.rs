//! The schema refuses impossible data: rows that cross workspaces, unknown statuses, negative amounts…
//! Each test builds two small workspaces and tries to store something that must never be stored.

use sqlx::PgPool;

const FOREIGN_KEY: &str = "23503";
const CHECK: &str = "23514";
const UNIQUE: &str = "23505";

struct Shop {
    workspace: i64,
    channel: i64,
    customer: i64,
    order: i64,
    ticket: i64,
}

async fn shop(pool: &PgPool, slug: &str) -> Shop {
    let workspace: i64 = sqlx::query_scalar("insert into workspace (slug, name) values ($1, $1) returning id")
        .bind(slug)
        .fetch_one(pool)
        .await
        .unwrap();
    let channel: i64 = sqlx::query_scalar(
        "insert into channel (workspace_id, key, kind, name) values ($1, 'shopify-eu', 'shopify', 'Shopify') returning id",
    )
    .bind(workspace)
    .fetch_one(pool)
    .await
    .unwrap();
    let customer: i64 = sqlx::query_scalar(
        "insert into customer (workspace_id, channel_id, external_id, registered, first_name, last_name)
         values ($1, $2, '42', true, 'Bob', 'Norman') returning id",
    )
    .bind(workspace)
    .bind(channel)
    .fetch_one(pool)
    .await
    .unwrap();
    let order: i64 = sqlx::query_scalar(
        "insert into customer_order (workspace_id, channel_id, external_id, number, customer_id, placed_at, status,
                                     currency, total, paid)
         values ($1, $2, 'o-1', '#1001', $3, now(), 'paid', 'EUR', 199.90, 199.90) returning id",
    )
    .bind(workspace)
    .bind(channel)
    .bind(customer)
    .fetch_one(pool)
    .await
    .unwrap();
    let ticket: i64 = sqlx::query_scalar(
        "insert into ticket (workspace_id, channel_id, external_id, customer_id, subject, status)
         values ($1, $2, 'T-1', $3, 'Where is my parcel?', 'todo') returning id",
    )
    .bind(workspace)
    .bind(channel)
    .bind(customer)
    .fetch_one(pool)
    .await
    .unwrap();
    Shop { workspace, channel, customer, order, ticket }
}

/// Runs `sql` with `binds` and asserts PostgreSQL refuses it with the given SQLSTATE.
async fn refused(pool: &PgPool, code: &str, sql: &str, binds: &[i64]) {
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(b);
    }
    match query.execute(pool).await {
        Ok(_) => panic!("stored, but must be refused: {sql}"),
        Err(sqlx::Error::Database(e)) => {
            assert_eq!(e.code().as_deref(), Some(code), "{sql}: {}", e.message())
        }
        Err(e) => panic!("unexpected error for {sql}: {e}"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn rows_cannot_point_into_another_workspace(pool: PgPool) {
    let a = shop(&pool, "a").await;
    let b = shop(&pool, "b").await;
    // an order of A for a customer of B
    refused(
        &pool,
        FOREIGN_KEY,
        "insert into customer_order (workspace_id, channel_id, external_id, number, customer_id, placed_at, status,
                                     currency, total)
         values ($1, $2, 'o-2', '#1002', $3, now(), 'paid', 'EUR', 10)",
        &[a.workspace, a.channel, b.customer],
    )
    .await;
    // a customer of A on a channel of B
    refused(
        &pool,
        FOREIGN_KEY,
        "insert into customer (workspace_id, channel_id, registered) values ($1, $2, false)",
        &[a.workspace, b.channel],
    )
    .await;
    // a line of A on an order of B
    refused(
        &pool,
        FOREIGN_KEY,
        "insert into order_line (workspace_id, order_id, position, name, quantity, unit_price)
         values ($1, $2, 0, 'iPod', 1, 10)",
        &[a.workspace, b.order],
    )
    .await;
    // a message of A in a ticket of B
    refused(
        &pool,
        FOREIGN_KEY,
        "insert into message (workspace_id, ticket_id, customer_id, channel_id, direction, kind, body, sent_at)
         values ($1, $2, $3, $4, 'inbound', 'email', 'hi', now())",
        &[a.workspace, b.ticket, a.customer, a.channel],
    )
    .await;
    // a message whose customer is not its ticket's customer
    let other: i64 = sqlx::query_scalar(
        "insert into customer (workspace_id, channel_id, registered) values ($1, $2, false) returning id",
    )
    .bind(a.workspace)
    .bind(a.channel)
    .fetch_one(&pool)
    .await
    .unwrap();
    refused(
        &pool,
        FOREIGN_KEY,
        "insert into message (workspace_id, ticket_id, customer_id, channel_id, direction, kind, body, sent_at)
         values ($1, $2, $3, $4, 'inbound', 'email', 'hi', now())",
        &[a.workspace, a.ticket, other, a.channel],
    )
    .await;
    // notes, tasks, files, events, segment memberships on B's customer under A's workspace
    for sql in [
        "insert into note (workspace_id, customer_id, body) values ($1, $2, 'x')",
        "insert into task (workspace_id, customer_id, title) values ($1, $2, 'x')",
        "insert into file (workspace_id, customer_id, name, content_type, size_bytes, content)
         values ($1, $2, 'a.txt', 'text/plain', 1, 'a')",
        "insert into event (workspace_id, customer_id, kind, happened_at) values ($1, $2, 'note_added', now())",
        "insert into customer_email (workspace_id, customer_id, email) values ($1, $2, 'x@example.com')",
    ] {
        refused(&pool, FOREIGN_KEY, sql, &[a.workspace, b.customer]).await;
    }
    refused(
        &pool,
        FOREIGN_KEY,
        "insert into segment_membership (workspace_id, segment_id, customer_id, joined_at)
         select $1, id, $2, now() from segment where workspace_id = $1 and key = 'vip'",
        &[a.workspace, b.customer],
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_manager_must_be_a_member_of_the_customers_workspace(pool: PgPool) {
    let a = shop(&pool, "a").await;
    let b = shop(&pool, "b").await;
    let user: i64 = sqlx::query_scalar(
        "insert into user_account (email, password_hash) values ('ann@example.com', '$argon2id$v=19$x') returning id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query("insert into membership (workspace_id, user_id, role) values ($1, $2, 'agent')")
        .bind(b.workspace)
        .bind(user)
        .execute(&pool)
        .await
        .unwrap();
    refused(&pool, FOREIGN_KEY, "update customer set manager_id = $2 where workspace_id = $1", &[a.workspace, user])
        .await;
    sqlx::query("update customer set manager_id = $2 where workspace_id = $1")
        .bind(b.workspace)
        .bind(user)
        .execute(&pool)
        .await
        .expect("a member may manage customers of their own workspace");
}

#[sqlx::test(migrations = "../migrations")]
async fn impossible_values_are_refused(pool: PgPool) {
    let a = shop(&pool, "a").await;
    let w = a.workspace;
    let order = |status: &str, total: &str, paid: &str, refunded: &str, currency: &str, rate: &str| {
        format!(
            "insert into customer_order (workspace_id, channel_id, external_id, number, customer_id, placed_at, status,
                                         currency, exchange_rate, total, paid, refunded)
             values ($1, $2, gen_random_uuid()::text, 'n', $3, now(), '{status}', '{currency}', {rate}, {total}, {paid},
                     {refunded})"
        )
    };
    let binds = [w, a.channel, a.customer];
    for sql in [
        order("shipped", "10", "0", "0", "EUR", "1"),    // unknown status
        order("paid", "-10", "0", "0", "EUR", "1"),      // negative total
        order("paid", "10", "-1", "0", "EUR", "1"),      // negative payment
        order("paid", "10", "10", "11", "EUR", "1"),     // refund above the total
        order("paid", "10.00001", "0", "0", "EUR", "1"), // more precision than money has
        order("paid", "10", "0", "0", "euro", "1"),      // not an ISO currency
        order("paid", "10", "0", "0", "EUR", "0"),       // no exchange rate
    ] {
        refused(&pool, CHECK, &sql, &binds).await;
    }
    for (sql, code) in [
        (
            "insert into order_line (workspace_id, order_id, position, name, quantity, unit_price)
             values ($1, $2, 0, 'iPod', -1, 10)",
            CHECK,
        ),
        (
            "insert into order_line (workspace_id, order_id, position, name, quantity, unit_price)
             values ($1, $2, 0, 'iPod', 0, 10)",
            CHECK,
        ),
        (
            "insert into order_line (workspace_id, order_id, position, name, quantity, unit_price)
             values ($1, $2, 0, 'iPod', 1, -10)",
            CHECK,
        ),
        (
            "insert into shipping_update (workspace_id, order_id, happened_at, status)
             values ($1, $2, now(), 'teleported')",
            CHECK,
        ),
        (
            "update customer_order set shipping_address = '{\"country\": \"Germany\"}' where workspace_id = $1 and id = $2",
            CHECK,
        ),
    ] {
        refused(&pool, code, sql, &[w, a.order]).await;
    }
    let customer_and_ticket = [w, a.customer, a.channel, a.ticket];
    for sql in [
        // outbound messages get no sentiment
        "insert into message (workspace_id, customer_id, channel_id, ticket_id, direction, kind, body, sent_at,
                              sentiment_score)
         values ($1, $2, $3, $4, 'outbound', 'email', 'Thanks!', now(), 0.5)",
        // scores are in [-1, 1]
        "insert into message (workspace_id, customer_id, channel_id, ticket_id, direction, kind, body, sent_at,
                              sentiment_score)
         values ($1, $2, $3, $4, 'inbound', 'email', 'Great', now(), 1.5)",
        // only calls have a duration
        "insert into message (workspace_id, customer_id, channel_id, ticket_id, direction, kind, body, sent_at,
                              call_duration_seconds)
         values ($1, $2, $3, $4, 'inbound', 'email', 'Hi', now(), 60)",
        "insert into message (workspace_id, customer_id, channel_id, ticket_id, direction, kind, body, sent_at)
         values ($1, $2, $3, $4, 'inbound', 'fax', 'Hi', now())",
        "update ticket set status = 'closed' where workspace_id = $1 and customer_id = $2 and channel_id = $3 and id = $4",
    ] {
        refused(&pool, CHECK, sql, &customer_and_ticket).await;
    }
    for sql in [
        "update customer set personal_discount = 120 where workspace_id = $1 and id = $2",
        "update customer set order_count = -1 where workspace_id = $1 and id = $2",
        // indicators must agree with each other: no orders means no average and no purchase dates
        "update customer set average_order_value = 10 where workspace_id = $1 and id = $2",
        "update customer set email_subscription = 'maybe' where workspace_id = $1 and id = $2",
        "update customer set contractor_type = 'alien' where workspace_id = $1 and id = $2",
        // a guest has no channel customer id
        "update customer set registered = false where workspace_id = $1 and id = $2",
        "update customer set merged_into_id = id where workspace_id = $1 and id = $2",
    ] {
        refused(&pool, CHECK, sql, &[w, a.customer]).await;
    }
    for sql in [
        "insert into channel (workspace_id, key, kind, name) values ($1, 'x', 'myspace', 'X')",
        "insert into channel (workspace_id, key, kind, name) values ($1, 'Has Spaces', 'other', 'X')",
        "with u as (insert into user_account (email, password_hash) values ('o@example.com', '$argon2id$x') returning id)
         insert into membership (workspace_id, user_id, role) select $1, id, 'owner' from u",
    ] {
        refused(&pool, CHECK, sql, &[w]).await;
    }
    refused(&pool, CHECK, "insert into workspace (slug, name, base_currency) values ('x', 'X', 'dollars')", &[]).await;
    refused(
        &pool,
        CHECK,
        "insert into user_account (email, password_hash) values ('Ann@Example.com', '$argon2id$v=19$x')",
        &[],
    )
    .await;
    refused(
        &pool,
        CHECK,
        "insert into user_account (email, password_hash) values ('ann@example.com', 'plaintext')",
        &[],
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn identities_are_unique_per_channel_but_guests_repeat(pool: PgPool) {
    let a = shop(&pool, "a").await;
    // the same registered customer twice on one channel
    refused(
        &pool,
        UNIQUE,
        "insert into customer (workspace_id, channel_id, external_id, registered) values ($1, $2, '42', true)",
        &[a.workspace, a.channel],
    )
    .await;
    // the same order twice on one channel
    refused(
        &pool,
        UNIQUE,
        "insert into customer_order (workspace_id, channel_id, external_id, number, customer_id, placed_at, status,
                                     currency, total)
         values ($1, $2, 'o-1', '#1001', $3, now(), 'paid', 'EUR', 1)",
        &[a.workspace, a.channel, a.customer],
    )
    .await;
    // guests: one row per order, so many rows without a channel customer id
    for _ in 0..2 {
        sqlx::query("insert into customer (workspace_id, channel_id, registered) values ($1, $2, false)")
            .bind(a.workspace)
            .bind(a.channel)
            .execute(&pool)
            .await
            .unwrap();
    }
    // and the same key in another workspace is a different channel
    let b = shop(&pool, "b").await;
    assert_ne!(a.channel, b.channel);
}

#[sqlx::test(migrations = "../migrations")]
async fn custom_field_values_must_fit_their_field(pool: PgPool) {
    let a = shop(&pool, "a").await;
    let w = a.workspace;
    let field = |key: &str, kind: &str| {
        let pool = pool.clone();
        let (key, kind) = (key.to_string(), kind.to_string());
        async move {
            sqlx::query_scalar::<_, i64>(
                "insert into custom_field (workspace_id, key, label, kind) values ($1, $2, $2, $3) returning id",
            )
            .bind(w)
            .bind(key)
            .bind(kind)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let size = field("size", "choice").await;
    let colour = field("colour", "choice").await;
    let birthday = field("birthday", "date").await;
    let red: i64 = sqlx::query_scalar(
        "insert into custom_field_choice (workspace_id, field_id, label) values ($1, $2, 'Red') returning id",
    )
    .bind(w)
    .bind(colour)
    .fetch_one(&pool)
    .await
    .unwrap();
    // a choice of another field
    refused(
        &pool,
        FOREIGN_KEY,
        "insert into custom_field_value (workspace_id, customer_id, field_id, kind, choice_id)
         values ($1, $2, $3, 'choice', $4)",
        &[w, a.customer, size, red],
    )
    .await;
    // a value claiming a kind its field does not have
    refused(
        &pool,
        FOREIGN_KEY,
        "insert into custom_field_value (workspace_id, customer_id, field_id, kind, text_value)
         values ($1, $2, $3, 'text', 'soon')",
        &[w, a.customer, birthday],
    )
    .await;
    // a date field holding a number
    refused(
        &pool,
        CHECK,
        "insert into custom_field_value (workspace_id, customer_id, field_id, kind, number_value)
         values ($1, $2, $3, 'date', 3)",
        &[w, a.customer, birthday],
    )
    .await;
    sqlx::query(
        "insert into custom_field_value (workspace_id, customer_id, field_id, kind, choice_id)
         values ($1, $2, $3, 'choice', $4)",
    )
    .bind(w)
    .bind(a.customer)
    .bind(colour)
    .bind(red)
    .execute(&pool)
    .await
    .expect("a choice of its own field is stored");
}

#[sqlx::test(migrations = "../migrations")]
async fn timeline_tabs_follow_the_event_kind(pool: PgPool) {
    let a = shop(&pool, "a").await;
    let tabs: Vec<(String, String)> = sqlx::query_as(
        "insert into event (workspace_id, customer_id, kind, happened_at, field)
         select $1, $2, k, now(), 'first_name'
           from unnest(array['order_placed', 'ticket_opened', 'note_deleted', 'task_commented', 'file_added',
                             'segment_left', 'field_changed', 'merged']) k
         returning kind, tab",
    )
    .bind(a.workspace)
    .bind(a.customer)
    .fetch_all(&pool)
    .await
    .unwrap();
    let expected = [
        ("order_placed", "orders"),
        ("ticket_opened", "tickets"),
        ("note_deleted", "notes"),
        ("task_commented", "tasks"),
        ("file_added", "files"),
        ("segment_left", "segments"),
        ("field_changed", "changes"),
        ("merged", "changes"),
    ];
    assert_eq!(tabs, expected.map(|(k, t)| (k.to_string(), t.to_string())));
    refused(
        &pool,
        CHECK,
        "insert into event (workspace_id, customer_id, kind, happened_at) values ($1, $2, 'field_changed', now())",
        &[a.workspace, a.customer],
    )
    .await;
}
