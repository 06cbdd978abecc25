//! `GET /events`: the server-sent-event stream of one signed-in tab, for its workspace. Each event has an
//! id; a tab that reconnects sends the last one it saw (`Last-Event-ID`, as browsers do) and gets what it
//! missed, or `resync`. A stream ends after `LIFETIME` (the browser reconnects at once, and its session
//! is checked again) and as soon as its tab is closed.

use super::hub::{Publication, Told};
use super::{CHANGE_EVENT, RESYNC_EVENT};
use crate::auth::Caller;
use crate::state::AppState;
use axum::Extension;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How long one stream lasts before the browser is asked to open another.
const LIFETIME: Duration = Duration::from_secs(300);

/// How soon the browser reconnects after a stream ended.
const RECONNECT: Duration = Duration::from_secs(1);

/// A comment now and then keeps proxies from closing a quiet stream, and finds closed tabs.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub async fn events(State(state): State<AppState>, caller: Option<Extension<Caller>>, headers: HeaderMap) -> Response {
    let Some(Extension(caller)) = caller else {
        return (StatusCode::UNAUTHORIZED, "Sign in to follow live updates.").into_response();
    };
    let last = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    let hub = state.live.clone();
    let subscription = hub.subscribe(last);
    let (workspace_id, user_id) = (caller.workspace_id, caller.user_id);
    let tell = {
        let hub = hub.clone();
        move |publication: &Publication| {
            publication.told(workspace_id, user_id).map(|told| event(&hub.event_id(publication.seq), told))
        }
    };
    // the first event says how soon to reconnect, and where the stream starts
    let start = if subscription.resync {
        event(&subscription.position, Told::Resync)
    } else {
        Event::default().comment("live")
    }
    .retry(RECONNECT);
    let missed: Vec<Event> = subscription.missed.iter().filter_map(|p| tell(p)).collect();
    let coming = futures::stream::unfold((subscription.receiver, tell, hub), |(mut receiver, tell, hub)| async move {
        loop {
            match receiver.recv().await {
                Ok(publication) => {
                    if let Some(event) = tell(&publication) {
                        return Some((event, (receiver, tell, hub)));
                    }
                }
                // this tab fell behind: it reads its page again
                Err(RecvError::Lagged(_)) => {
                    let position = hub.event_id(hub.latest());
                    return Some((event(&position, Told::Resync), (receiver, tell, hub)));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    let stream = futures::stream::iter(std::iter::once(start).chain(missed))
        .chain(coming)
        .take_until(tokio::time::sleep(LIFETIME))
        .map(Ok::<_, Infallible>);
    let mut response = Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response();
    response.headers_mut().insert(CACHE_CONTROL, "no-store".parse().expect("a valid header"));
    // no buffering by a proxy in front (nginx)
    response.headers_mut().insert("x-accel-buffering", "no".parse().expect("a valid header"));
    response
}

fn event(id: &str, told: Told) -> Event {
    match told {
        Told::Change(change) => Event::default()
            .id(id)
            .event(CHANGE_EVENT)
            .data(serde_json::to_string(&change).expect("a change is plain data")),
        Told::Resync => Event::default().id(id).event(RESYNC_EVENT).data(""),
    }
}
