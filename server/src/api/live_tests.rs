//! `GET /events` over real HTTP: signed-in tabs only; an order posted through the API reaches the open
//! stream of its workspace within 2 seconds, and not another workspace's; a tab that reconnects with
//! `Last-Event-ID` gets what it missed.

use super::hardening_tests::{member, sign_in};
use super::tests::{order, post, serve_state, shop};
use app::live::Change;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, COOKIE};
use sqlx::PgPool;
use std::time::Duration;

/// One event of a stream: its id, name and data.
#[derive(Debug)]
struct Sent {
    id: String,
    event: String,
    data: String,
}

struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(base: &str, cookie: &str, last_event_id: Option<&str>) -> Stream {
        let mut request = reqwest::Client::new().get(format!("{base}/events")).header(COOKIE, cookie);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "text/event-stream");
        Stream { response, buffer: String::new() }
    }

    /// The next event with a name (comments and keep-alives passed over), within 2 seconds.
    async fn next(&mut self) -> Sent {
        let read = async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let frame: String = self.buffer.drain(..end + 2).collect();
                    let field = |name: &str| {
                        frame.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim_start().to_string())
                    };
                    if let Some(event) = field("event:") {
                        return Sent {
                            id: field("id:").unwrap_or_default(),
                            event,
                            data: field("data:").unwrap_or_default(),
                        };
                    }
                    continue;
                }
                let chunk = self.response.chunk().await.unwrap().expect("the stream stays open");
                self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        };
        tokio::time::timeout(Duration::from_secs(2), read).await.expect("an event within 2 seconds")
    }

    async fn change(&mut self) -> (String, Change) {
        let sent = self.next().await;
        assert_eq!(sent.event, "change", "{sent:?}");
        (sent.id, serde_json::from_str(&sent.data).unwrap())
    }
}

fn customer_of(answer: &serde_json::Value) -> i64 {
    answer["customer_id"].as_i64().expect("the order's customer")
}

#[sqlx::test(migrations = "../migrations")]
async fn an_order_posted_reaches_the_open_tabs_of_its_workspace(pool: PgPool) {
    let a = shop(&pool, "a", "Ann").await;
    let b = shop(&pool, "b", "Bea").await;
    member(&pool, "a", "viewer@a.example", app::accounts::Role::Viewer).await;
    let (base, state) = serve_state(pool).await;
    state.live.until_listening().await;

    let signed_out = reqwest::get(format!("{base}/events")).await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);

    let (_, cookie, _) = sign_in(&base, "viewer@a.example", "/customers").await;
    let cookie = cookie.expect("signed in");
    let mut tab = Stream::open(&base, &cookie, None).await;
    let ann = serde_json::json!({"email": "ann@a.example", "first_name": "Ann"});
    let bea = serde_json::json!({"email": "bea@b.example", "first_name": "Bea"});
    let (status, theirs) = post(&base, "/api/v1/orders", &b.key, &order("2001", bea, "paid", "10.00")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, ours) = post(&base, "/api/v1/orders", &a.key, &order("1001", ann.clone(), "paid", "10.00")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (seen, change) = tab.change().await;
    assert_eq!(change.customers, vec![customer_of(&ours)], "workspace b's order ({theirs}) is not told to a's tab");

    // the tab is closed; two orders arrive meanwhile; it comes back with the last id it saw
    drop(tab);
    let (_, second) = post(&base, "/api/v1/orders", &a.key, &order("1002", ann.clone(), "paid", "12.00")).await;
    let (_, third) = post(&base, "/api/v1/orders", &a.key, &order("1003", ann, "paid", "14.00")).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let mut back = Stream::open(&base, &cookie, Some(&seen)).await;
    let mut missed = std::collections::BTreeSet::new();
    while !missed.contains(&customer_of(&second)) || !missed.contains(&customer_of(&third)) {
        missed.extend(back.change().await.1.customers);
    }

    // an id this server never gave: read everything again
    let mut lost = Stream::open(&base, &cookie, Some("0-99")).await;
    assert_eq!(lost.next().await.event, "resync");
}
