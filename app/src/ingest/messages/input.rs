//! A message as API v1 receives it (SPEC §5), with the ticket it belongs to, checked field by field.

use crate::channels::ChannelKind;
use crate::error::FieldError;
use crate::ingest::identity::{CustomerInput, parse_customer};
use crate::ingest::reader::Reader;
use crate::tickets::{Direction, MessageKind, TicketStatus};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

/// The conversation a message belongs to, upserted on (channel, external id).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TicketInput {
    pub external_id: String,
    pub subject: Option<String>,
    /// todo, waiting or resolved.
    pub status: Option<String>,
}

/// A message and the ticket it belongs to (`POST /api/v1/messages`), upserted on (channel, external id).
/// Inbound messages in English are scored for sentiment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MessageInput {
    pub channel: String,
    pub channel_kind: Option<String>,
    pub ticket: TicketInput,
    pub customer: CustomerInput,
    pub external_id: String,
    /// inbound (from the customer) or outbound.
    pub direction: String,
    /// email, chat, sms or call.
    pub kind: String,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    pub call_duration_seconds: Option<i32>,
}

/// Checks one message; `path` is where it sits in the request (`$` or `$.messages[3]`).
pub fn parse_message(value: &Value, path: &str) -> Result<MessageInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut r = Reader::new(value, path, &mut errors);
    let channel = r.channel_key("channel", true);
    let channel_kind = r.one_of("channel_kind", ChannelKind::KEYS, false);
    let external_id = r.required_text("external_id", 255);
    let direction = r.one_of("direction", Direction::KEYS, true);
    let kind = r.one_of("kind", MessageKind::KEYS, true);
    let body = match r.raw("body") {
        Some(Value::String(s)) if crate::checks::has_nul(s) => {
            r.fail("body", "must not contain NUL characters");
            None
        }
        Some(Value::String(s)) if s.chars().count() <= 100_000 => Some(s.clone()),
        Some(Value::String(_)) => {
            r.fail("body", "is longer than 100,000 characters");
            None
        }
        Some(_) => {
            r.fail("body", "expected a string");
            None
        }
        None => {
            r.fail("body", "is required");
            None
        }
    };
    let sent_at = r.time("sent_at");
    let call_duration_seconds = match r.raw("call_duration_seconds") {
        None => None,
        Some(Value::Number(n)) if n.as_i64().is_some_and(|s| (0..=86_400).contains(&s)) => n.as_i64().map(|s| s as i32),
        Some(_) => {
            r.fail("call_duration_seconds", "use a whole number of seconds from 0 to 86,400");
            None
        }
    };
    if call_duration_seconds.is_some() && kind.as_deref().is_some_and(|k| k != "call") {
        r.fail("call_duration_seconds", "only calls have a duration");
    }
    let ticket_value = r.raw("ticket").cloned();
    let customer_value = r.raw("customer").cloned();
    drop(r);
    let ticket = match &ticket_value {
        Some(v) => parse_ticket(v, &format!("{path}.ticket"), &mut errors),
        None => {
            errors.push(FieldError { path: format!("{path}.ticket"), message: "is required".into() });
            None
        }
    };
    let customer = match &customer_value {
        Some(v) => parse_customer(v, &format!("{path}.customer"), &mut errors),
        None => {
            errors.push(FieldError { path: format!("{path}.customer"), message: "is required".into() });
            None
        }
    };
    match (channel, external_id, direction, kind, body, sent_at, ticket, customer) {
        (
            Some(channel),
            Some(external_id),
            Some(direction),
            Some(kind),
            Some(body),
            Some(sent_at),
            Some(ticket),
            Some(customer),
        ) if errors.is_empty() => Ok(MessageInput {
            channel,
            channel_kind,
            ticket,
            customer,
            external_id,
            direction,
            kind,
            body,
            sent_at,
            call_duration_seconds,
        }),
        _ => Err(errors),
    }
}

fn parse_ticket(value: &Value, path: &str, errors: &mut Vec<FieldError>) -> Option<TicketInput> {
    let before = errors.len();
    let mut r = Reader::new(value, path, errors);
    let external_id = r.required_text("external_id", 255);
    let subject = r.text("subject", 1000);
    let status = r.one_of("status", TicketStatus::KEYS, false);
    drop(r);
    match external_id {
        Some(external_id) if errors.len() == before => Some(TicketInput { external_id, subject, status }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_specs_example_message_is_accepted_and_bad_fields_are_named() {
        let example = json!({"channel": "shopify-eu", "ticket": {"external_id": "T-1001", "subject": "Where is my parcel?",
                             "status": "todo"}, "customer": {"external_id": "207119551", "email": "bob@example.com"},
                             "external_id": "M-1", "direction": "inbound", "kind": "email",
                             "body": "Hi, my parcel is late...", "sent_at": "2024-05-03T09:12:00Z"});
        let message = parse_message(&example, "$").unwrap();
        assert_eq!((message.ticket.external_id.as_str(), message.direction.as_str()), ("T-1001", "inbound"));
        // the type the OpenAPI document is made from reads it the same way
        assert_eq!(serde_json::from_value::<MessageInput>(example.clone()).unwrap(), message);

        let mut bad = example.clone();
        bad["direction"] = json!("sideways");
        bad["ticket"]["status"] = json!("closed");
        bad["call_duration_seconds"] = json!(30);
        bad.as_object_mut().unwrap().remove("body");
        let paths: Vec<_> = parse_message(&bad, "$.messages[0]").unwrap_err().into_iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            [
                "$.messages[0].direction",
                "$.messages[0].body",
                "$.messages[0].call_duration_seconds",
                "$.messages[0].ticket.status"
            ]
        );
    }
}
