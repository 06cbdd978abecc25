//! A titled part of a page (a customer's contacts, their orders, the history): a section named by its
//! heading, so that screen readers list it as a region.

use super::heading::Heading;
use leptos::prelude::*;

/// A section headed `title` at `level` (2 on a page, 3 in the side panel), its heading's id `id`.
#[component]
pub fn Card(
    #[prop(into)] id: String,
    #[prop(into)] title: String,
    #[prop(default = 2)] level: u8,
    #[prop(optional, into)] class: Option<String>,
    children: Children,
) -> impl IntoView {
    let labelled_by = id.clone();
    view! {
        <section class=class aria-labelledby=labelled_by>
            <Heading level id=id>{title}</Heading>
            {children()}
        </section>
    }
}
