//! Headings whose level depends on where a view sits: the customer profile's sections are `h2` on its
//! page (under the `h1` name) and `h3` in the list's side panel (under an `h2` name).

use leptos::prelude::*;

#[component]
pub fn Heading(level: u8, #[prop(optional, into)] id: Option<String>, children: Children) -> impl IntoView {
    match level {
        0..=2 => view! { <h2 id=id>{children()}</h2> }.into_any(),
        3 => view! { <h3 id=id>{children()}</h3> }.into_any(),
        4 => view! { <h4 id=id>{children()}</h4> }.into_any(),
        _ => view! { <h5 id=id>{children()}</h5> }.into_any(),
    }
}
