//! Storing one message and the ticket it belongs to, in the caller's transaction: inbound messages are
//! scored (SPEC §3 sentiment), the ticket's first direction decides whether it counts as a contact, and
//! the customer's indicators, sentiment and segments are recomputed before commit.

mod input;

pub use input::*;

use super::identity::{
    CustomerRef, Identity, channel_id, customer_by_email, lock_customers, resolve_customers, sync_contacts,
};
use super::outcome::{Ingested, Outcome};
use super::stored_status;
use crate::error::AppResult;
use crate::tickets::{Direction, TicketStatus};
use crate::timeline::Event;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

#[tracing::instrument(skip(conn, message), fields(channel = %message.channel, external_id = %message.external_id))]
pub async fn ingest_message(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
    message: &MessageInput,
) -> AppResult<Ingested> {
    let channel_id = channel_id(conn, workspace_id, &message.channel, message.channel_kind.as_deref()).await?;
    let ticket = sqlx::query!(
        "select id, customer_id, status, subject from ticket
          where workspace_id = $1 and channel_id = $2 and external_id = $3",
        workspace_id,
        channel_id,
        message.ticket.external_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    // The ticket's customer, once it exists; else the channel's registered customer; else whoever
    // wrote from this email before; else a new contact.
    let identity = match (&ticket, &message.customer.external_id, &message.customer.email) {
        (Some(t), _, _) => Identity::Known(t.customer_id),
        (None, Some(external), _) => Identity::Registered(external),
        (None, None, Some(email)) => match customer_by_email(conn, workspace_id, channel_id, email).await? {
            Some(id) => Identity::Known(id),
            None => Identity::New { registered: false },
        },
        (None, None, None) => Identity::New { registered: false },
    };
    let customer = CustomerRef::new(channel_id, identity, &message.customer);
    let customer_id = resolve_customers(conn, workspace_id, now, &[customer]).await?[0].id;
    lock_customers(conn, workspace_id, &[customer_id]).await?;
    sync_contacts(conn, workspace_id, &[(customer_id, &message.customer)]).await?;

    let mut changed = false;
    let ticket_id = match ticket {
        Some(t) => {
            let status = message.ticket.status.clone().unwrap_or(t.status.clone());
            let subject = message.ticket.subject.clone().unwrap_or(t.subject.clone());
            if status != t.status || subject != t.subject {
                sqlx::query!(
                    "update ticket set status = $3, subject = $4, updated_at = $5 where workspace_id = $1 and id = $2",
                    workspace_id,
                    t.id,
                    status,
                    subject,
                    now
                )
                .execute(&mut *conn)
                .await?;
                let event = Event::TicketChanged {
                    ticket_id: Some(t.id),
                    old_status: stored_status(TicketStatus::parse, &t.status)?,
                    status: stored_status(TicketStatus::parse, &status)?,
                    subject,
                };
                crate::timeline::record(conn, workspace_id, customer_id, None, now, event).await?;
                changed = true;
            }
            t.id
        }
        None => {
            let subject = message.ticket.subject.clone().unwrap_or_default();
            let id = sqlx::query_scalar!(
                "insert into ticket (workspace_id, channel_id, external_id, customer_id, subject, status, created_at,
                                     updated_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
                workspace_id,
                channel_id,
                message.ticket.external_id,
                customer_id,
                subject,
                message.ticket.status.as_deref().unwrap_or(TicketStatus::Todo.as_str()),
                message.sent_at
            )
            .fetch_one(&mut *conn)
            .await?;
            let event = Event::TicketOpened { ticket_id: Some(id), subject };
            crate::timeline::record(conn, workspace_id, customer_id, None, message.sent_at, event).await?;
            changed = true;
            id
        }
    };

    let score = if message.direction == Direction::Inbound.as_str() {
        crate::sentiment::score_message(&message.body)
    } else {
        None
    };
    let existing = sqlx::query!(
        "select id, ticket_id, direction, kind, body, sent_at, call_duration_seconds from message
          where workspace_id = $1 and channel_id = $2 and external_id = $3",
        workspace_id,
        channel_id,
        message.external_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let (id, created) = match existing {
        None => {
            let id = sqlx::query_scalar!(
                "insert into message (workspace_id, ticket_id, customer_id, channel_id, external_id, direction, kind,
                                      body, sent_at, call_duration_seconds, sentiment_score)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
                workspace_id,
                ticket_id,
                customer_id,
                channel_id,
                message.external_id,
                message.direction,
                message.kind,
                message.body,
                message.sent_at,
                message.call_duration_seconds,
                score
            )
            .fetch_one(&mut *conn)
            .await?;
            changed = true;
            (id, true)
        }
        Some(m) => {
            let same = m.ticket_id == ticket_id
                && m.direction == message.direction
                && m.kind == message.kind
                && m.body == message.body
                && m.sent_at == message.sent_at
                && m.call_duration_seconds == message.call_duration_seconds;
            if !same {
                sqlx::query!(
                    "update message set ticket_id = $3, customer_id = $4, direction = $5, kind = $6, body = $7,
                            sent_at = $8, call_duration_seconds = $9, sentiment_score = $10, updated_at = $11
                      where workspace_id = $1 and id = $2",
                    workspace_id,
                    m.id,
                    ticket_id,
                    customer_id,
                    message.direction,
                    message.kind,
                    message.body,
                    message.sent_at,
                    message.call_duration_seconds,
                    score,
                    now
                )
                .execute(&mut *conn)
                .await?;
                changed = true;
            }
            (m.id, false)
        }
    };
    // a message for a merged-away customer goes on to the survivor with its ticket (SPEC §9)
    let customer_id = crate::merges::forward(conn, workspace_id, &[customer_id])
        .await?
        .get(&customer_id)
        .copied()
        .unwrap_or(customer_id);
    crate::duplicates::db::queue(conn, workspace_id, &[customer_id]).await?;
    if changed {
        // The earliest message decides whether the customer began the conversation.
        sqlx::query!(
            "update ticket t set
                first_direction = (select direction from message m where m.workspace_id = t.workspace_id
                                      and m.ticket_id = t.id order by sent_at, id limit 1),
                created_at = least(t.created_at, $3), updated_at = greatest(t.updated_at, $3)
              where t.workspace_id = $1 and t.id = $2",
            workspace_id,
            ticket_id,
            message.sent_at
        )
        .execute(&mut *conn)
        .await?;
        crate::customers::indicators::recompute(conn, workspace_id, Some(&[customer_id]), now).await?;
        crate::segments::refresh_customers(conn, workspace_id, now, &[customer_id]).await?;
    }
    let result = match (created, changed) {
        (true, _) => Outcome::Created,
        (false, true) => Outcome::Updated,
        (false, false) => Outcome::Unchanged,
    };
    Ok(Ingested { id, customer_id, result, affected: vec![customer_id] })
}
