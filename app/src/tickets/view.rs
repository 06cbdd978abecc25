//! One ticket with its messages (`/tickets/{id}`), opened from the customer's tickets and timeline.

use crate::error::AppError;
use crate::sentiment::Sentiment;
use crate::ui::format;
use crate::ui::loaded::Loaded;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketView {
    pub id: i64,
    pub subject: String,
    pub status: String,
    pub channel: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub created_at: DateTime<Utc>,
    pub messages: Vec<MessageView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub inbound: bool,
    pub kind: String,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    pub sentiment: Option<Sentiment>,
}

/// The ticket and its messages, oldest first.
#[server(output = crate::codec::TextJson)]
pub async fn get_ticket(id: i64) -> Result<TicketView, AppError> {
    use crate::accounts::Role;
    crate::auth::guard(
        Role::Viewer,
        |caller, state| async move { db::ticket(&state.pool, caller.workspace_id, id).await },
    )
    .await
}

#[cfg(feature = "ssr")]
pub mod db {
    use super::{MessageView, TicketView};
    use crate::customers::person_name;
    use crate::error::{AppError, AppResult};
    use crate::sentiment::Sentiment;
    use sqlx::PgPool;

    pub async fn ticket(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<TicketView> {
        let t = sqlx::query!(
            "select t.id, t.subject, t.status, ch.key as channel, t.customer_id, t.created_at, c.first_name, c.last_name
               from ticket t
               join channel ch on ch.workspace_id = t.workspace_id and ch.id = t.channel_id
               join customer c on c.workspace_id = t.workspace_id and c.id = t.customer_id
              where t.workspace_id = $1 and t.id = $2",
            workspace_id,
            id
        )
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
        let messages = sqlx::query!(
            "select id, direction, kind, body, sent_at, sentiment_score from message
              where workspace_id = $1 and ticket_id = $2 order by sent_at, id",
            workspace_id,
            id
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|m| MessageView {
            id: m.id,
            inbound: m.direction == "inbound",
            kind: m.kind,
            body: m.body,
            sent_at: m.sent_at,
            sentiment: m.sentiment_score.map(Sentiment::from_score),
        })
        .collect();
        Ok(TicketView {
            id: t.id,
            subject: t.subject,
            status: t.status,
            channel: t.channel,
            customer_id: t.customer_id,
            customer_name: person_name(&t.first_name, &t.last_name),
            created_at: t.created_at,
            messages,
        })
    }
}

#[component]
pub fn TicketPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|v| v.parse::<i64>().ok()));
    let ticket = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_ticket(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <div class="ticket-page">
            <Loaded
                resource=ticket
                loading="Loading the ticket…"
                heading="Ticket"
                not_found=|| view! {
                    <h1>"Ticket not found"</h1>
                    <p><A href="/customers">"Go to the customer list"</A></p>
                }
                show=|ticket| view! { <TicketDetails ticket /> }
            />
        </div>
    }
}

#[component]
fn TicketDetails(ticket: TicketView) -> impl IntoView {
    let subject = if ticket.subject.trim().is_empty() { "(no subject)".to_string() } else { ticket.subject.clone() };
    view! {
        <h1>{subject}</h1>
        <p>
            <A href=format!("/customers/{}", ticket.customer_id)>{ticket.customer_name.clone()}</A>
            " · "{super::status_label(&ticket.status).to_string()}
            " · "{ticket.channel.clone()}
            " · opened "{format::date_time(ticket.created_at)}
        </p>
        <ol class="messages">
            {ticket.messages.into_iter().map(|m| {
                let who = if m.inbound { "From the customer" } else { "From the team" };
                view! {
                    <li class:inbound=m.inbound class:outbound=!m.inbound>
                        <p class="meta">
                            <strong>{who}</strong>" · "{m.kind.clone()}" · "
                            <time datetime=m.sent_at.to_rfc3339()>{format::date_time(m.sent_at)}</time>
                            {m.sentiment.map(|s| {
                                let (face, word) = s.face();
                                view! { " · "<span aria-hidden="true">{face}" "</span>{word} }
                            })}
                        </p>
                        <p class="body">{m.body}</p>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}
