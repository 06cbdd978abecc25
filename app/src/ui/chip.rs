//! A small rounded label: a segment's name, a tag.

use leptos::prelude::*;

/// `text` as a chip; `item`: as an item of a `ul.chips` list.
#[component]
pub fn Chip(#[prop(into)] text: String, #[prop(optional)] item: bool) -> impl IntoView {
    if item {
        view! { <li class="chip">{text}</li> }.into_any()
    } else {
        view! { <span class="chip">{text}</span> }.into_any()
    }
}
