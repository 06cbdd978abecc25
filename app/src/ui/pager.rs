//! The links or buttons to the pages around the one shown.

use leptos::prelude::*;
use leptos_router::components::A;

/// Where a step of the pager goes: another URL (the list, the orders) or another page of a panel kept
/// in the page's own state (the timeline, a customer's orders).
pub enum PageTo {
    Url(String),
    Click(Callback<()>),
}

/// One step: its words, where it goes and, for a link, its relation (`prev`, `next`).
pub struct PageStep {
    pub text: &'static str,
    pub to: PageTo,
    pub rel: Option<&'static str>,
}

impl PageStep {
    pub fn link(text: &'static str, href: String, rel: Option<&'static str>) -> Self {
        PageStep { text, to: PageTo::Url(href), rel }
    }

    pub fn button(text: &'static str, click: impl Fn() + Send + Sync + 'static) -> Self {
        PageStep { text, to: PageTo::Click(Callback::new(move |()| click())), rel: None }
    }
}

/// `back` and `forward` (either may be missing), in a navigation landmark named `label`.
#[component]
pub fn Pager(
    #[prop(into)] label: String,
    #[prop(default = None)] back: Option<PageStep>,
    #[prop(default = None)] forward: Option<PageStep>,
) -> impl IntoView {
    let step = |step: PageStep| match step.to {
        PageTo::Url(href) => view! { <A href=href attr:rel=step.rel>{step.text}</A> }.into_any(),
        PageTo::Click(click) => {
            view! { <button type="button" on:click=move |_| click.run(())>{step.text}</button> }.into_any()
        }
    };
    view! {
        <nav class="pager" aria-label=label>
            {back.map(step)}
            {forward.map(step)}
        </nav>
    }
}
