//! `/duplicates`: the queue of possible duplicates, best first, each pair with its score and reasons,
//! "Not the same" (agents and admins) and "Merge" (admins).

use super::{DismissDuplicate, DuplicatePair, DuplicateQueue, load_duplicates};
use crate::ui::loaded::{Empty, Loaded};
use crate::ui::pager::{PageStep, Pager};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    // cursors of the pages walked through, so "Back" goes back one
    let cursors = RwSignal::new(Vec::<String>::new());
    let dismiss = ServerAction::<DismissDuplicate>::new();
    let queue = Resource::new(
        move || (cursors.with(|c| c.last().cloned()), dismiss.version().get()),
        |(after, _)| load_duplicates(after),
    );
    view! {
        <h1>"Possible duplicates"</h1>
        <p class="hint">"Customers who are probably one person, the surest first. “Not the same” takes a pair off the list for good."</p>
        {move || match dismiss.value().get() {
            Some(Err(error)) => Some(view! { <p role="alert">{error.to_string()}</p> }),
            _ => None,
        }}
        <Loaded
            resource=queue
            loading="Loading possible duplicates…"
            keep=true
            empty=Empty::when(|q: &DuplicateQueue| q.page.items.is_empty(), "No possible duplicates right now.")
            show=move |queue| view! { <Pairs queue dismiss cursors /> }
        />
    }
}

#[component]
fn Pairs(
    queue: DuplicateQueue,
    dismiss: ServerAction<DismissDuplicate>,
    cursors: RwSignal<Vec<String>>,
) -> impl IntoView {
    let back = cursors.with_untracked(|c| !c.is_empty());
    let next = queue.page.next.clone();
    let (can_dismiss, can_merge) = (queue.can_dismiss, queue.can_merge);
    view! {
        <ol class="duplicate-pairs">
            {queue.page.items.into_iter().map(|pair| view! { <Pair pair dismiss can_dismiss can_merge /> }).collect_view()}
        </ol>
        <Pager
            label="Pages of possible duplicates"
            back=back.then(|| PageStep::button("Back", move || cursors.update(|c| { c.pop(); })))
            forward=next.map(|after| PageStep::button("More", move || cursors.update(|c| c.push(after.clone()))))
        />
    }
}

#[component]
fn Pair(
    pair: DuplicatePair,
    dismiss: ServerAction<DismissDuplicate>,
    can_dismiss: bool,
    can_merge: bool,
) -> impl IntoView {
    let [a, b] = pair.customers;
    let name = |i: usize| if pair.names[i].trim().is_empty() { "(no name)".to_string() } else { pair.names[i].clone() };
    let (name_a, name_b) = (name(0), name(1));
    let label = format!("{name_a} #{a} and {name_b} #{b}");
    let percent = format!("{:.0}%", pair.score * 100.0);
    view! {
        <li aria-label=label.clone()>
            <p class="pair">
                <A href=format!("/customers/{a}")>{name_a}" #"{a}</A>
                " and "
                <A href=format!("/customers/{b}")>{name_b}" #"{b}</A>
            </p>
            <p class="why"><span class="score">{percent}" sure"</span>" · "{pair.reasons.join(", ")}</p>
            <div class="pair-actions">
                {can_merge.then(|| view! {
                    <A href=crate::merges::view::merge_href(&[a, b]) attr:aria-label=format!("Merge {label}")>"Merge"</A>
                })}
                {can_dismiss.then(|| view! {
                    <button type="button" class="secondary" aria-label=format!("Not the same: {label}")
                        disabled=move || dismiss.pending().get()
                        on:click=move |_| { dismiss.dispatch(DismissDuplicate { a, b }); }>
                        "Not the same"
                    </button>
                })}
            </div>
        </li>
    }
}
