//! The notes block of the customer profile: the newest first, each as plain text with its line breaks.

use super::{AddNote, DeleteNote, list_notes};
use crate::error::AppError;
use crate::ui::format;
use crate::ui::heading::Heading;
use crate::ui::loaded::{Empty, Loaded};
use leptos::html::Textarea;
use leptos::prelude::*;

#[component]
pub fn Notes(customer: i64, can_edit: bool, can_delete: bool, level: u8) -> impl IntoView {
    let add = ServerAction::<AddNote>::new();
    let delete = ServerAction::<DeleteNote>::new();
    let notes = Resource::new(move || (add.version().get(), delete.version().get()), move |_| list_notes(customer));
    let text = NodeRef::<Textarea>::new();
    // a note added leaves the box empty for the next one
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(text)) = (add.value().get(), text.get()) {
            text.set_value("");
        }
    });
    let problem = move || {
        [add.value().get().and_then(Result::err), delete.value().get().and_then(Result::err)]
            .into_iter()
            .flatten()
            .map(|error| match error {
                AppError::Invalid(fields) => fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join("; "),
                other => other.to_string(),
            })
            .next()
    };
    let heading = format!("notes-{customer}");
    let labelled_by = heading.clone();
    let field = format!("new-note-{customer}");
    view! {
        <section class="notes" aria-labelledby=labelled_by>
            <Heading level id=heading>"Notes"</Heading>
            {can_edit.then(|| view! {
                <ActionForm action=add attr:class="note-form">
                    <input type="hidden" name="customer" value=customer.to_string() />
                    <label for=field.clone()>"New note"</label>
                    <textarea id=field.clone() name="body" rows="3" required node_ref=text></textarea>
                    <button type="submit" disabled=move || add.pending().get()>"Add note"</button>
                </ActionForm>
            })}
            <p role="alert" class="error" hidden=move || problem().is_none()>{problem}</p>
            <Loaded resource=notes loading="Loading notes…" keep=true empty=Empty::when(Vec::is_empty, "No notes yet.") show=move |notes| view! {
                            <ul class="note-list">
                                {notes.into_iter().map(|note| {
                                    let when = format::date_time(note.created_at);
                                    let label = format!("Delete note of {when}");
                                    view! {
                                        <li>
                                            <p class="body">{note.body}</p>
                                            <p class="meta">
                                                {note.author.unwrap_or_else(|| "A former member".into())}" · "
                                                <time datetime=note.created_at.to_rfc3339()>{when}</time>
                                            </p>
                                            {can_delete.then(|| view! {
                                                <ActionForm action=delete attr:class="inline">
                                                    <input type="hidden" name="id" value=note.id.to_string() />
                                                    <button type="submit" class="secondary" aria-label=label>"Delete note"</button>
                                                </ActionForm>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        } />
        </section>
    }
}
