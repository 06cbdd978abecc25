//! Tickets and their messages: the ticket view (they arrive through `ingest`).

pub mod view;

crate::vocabulary! {
    /// Where a ticket stands (`ticket.status`), in the order the profile shows them.
    pub enum TicketStatus {
        Todo = "todo", "To do";
        Waiting = "waiting", "Waiting";
        Resolved = "resolved", "Resolved";
    }
}

crate::vocabulary! {
    /// Who wrote a message: the customer (`inbound`) or the team.
    pub enum Direction {
        Inbound = "inbound", "Received";
        Outbound = "outbound", "Sent";
    }
}

crate::vocabulary! {
    /// How a message came (`message.kind`).
    pub enum MessageKind {
        Email = "email", "Email";
        Chat = "chat", "Chat";
        Sms = "sms", "SMS";
        Call = "call", "Call";
    }
}

/// A ticket status as people read it (an unknown one as it is).
pub fn status_label(status: &str) -> &str {
    TicketStatus::parse(status).map_or(status, |s| s.label())
}
