//! The timeline with its tabs. The first page of "All" is rendered on the server; tabs and paging load
//! in place once the page is hydrated.

use super::{TABS, TimelinePage, customer_timeline};
use crate::ui::format;
use crate::ui::heading::Heading;
use crate::ui::loaded::Loaded;
use crate::ui::pager::{PageStep, Pager};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Timeline(customer: i64, level: u8, refresh: Signal<u64>) -> impl IntoView {
    let tab = RwSignal::new("all");
    // cursors of the pages walked through, so "Newer" goes back one
    let cursors = RwSignal::new(Vec::<String>::new());
    // read again in place when something new is written for the customer (`refresh`)
    let page = Resource::new(
        move || (tab.get(), cursors.with(|c| c.last().cloned()), refresh.get()),
        move |(tab, after, _)| customer_timeline(customer, tab.to_string(), after),
    );
    let id = move |key: &str| format!("timeline-tab-{customer}-{key}");
    let panel = format!("timeline-panel-{customer}");
    view! {
        <section class="timeline" aria-labelledby=format!("timeline-{customer}")>
            <Heading level id=format!("timeline-{customer}")>"Timeline"</Heading>
            <div role="tablist" aria-label="Timeline" class="tabs">
                {TABS.into_iter().map(|(key, name)| view! {
                    <button
                        type="button"
                        role="tab"
                        id=id(key)
                        aria-controls=panel.clone()
                        aria-selected=move || (tab.get() == key).to_string()
                        tabindex=move || if tab.get() == key { "0" } else { "-1" }
                        on:click=move |_| {
                            tab.set(key);
                            cursors.set(Vec::new());
                        }
                        on:keydown=move |ev| {
                            // arrows move between tabs (the ARIA tabs pattern)
                            let step: isize = match ev.key().as_str() {
                                "ArrowRight" => 1,
                                "ArrowLeft" => -1,
                                _ => return,
                            };
                            ev.prevent_default();
                            let at = TABS.iter().position(|(k, _)| *k == key).unwrap_or(0) as isize;
                            let (next, _) = TABS[(at + step).rem_euclid(TABS.len() as isize) as usize];
                            tab.set(next);
                            cursors.set(Vec::new());
                            if let Some(button) = document().get_element_by_id(&id(next)) {
                                use leptos::wasm_bindgen::JsCast;
                                if let Ok(button) = button.dyn_into::<leptos::web_sys::HtmlElement>() {
                                    let _ = button.focus();
                                }
                            }
                        }
                    >
                        {name}
                    </button>
                }).collect_view()}
            </div>
            <div role="tabpanel" id=panel.clone() aria-labelledby=move || id(tab.get())>
                <Loaded resource=page loading="Loading the timeline…" keep=true show=move |page| view! { <Entries page cursors /> } />
            </div>
        </section>
    }
}

#[component]
fn Entries(page: TimelinePage, cursors: RwSignal<Vec<String>>) -> impl IntoView {
    let newer = cursors.with_untracked(|c| !c.is_empty());
    let next = page.next.clone();
    let can_undo = page.can_undo;
    view! {
        {if page.items.is_empty() {
            view! { <p>"Nothing here yet."</p> }.into_any()
        } else {
            view! {
                <ol class="events">
                    {page.items.into_iter().map(|entry| {
                        let link = match (entry.order_id, entry.ticket_id) {
                            (Some(order), _) => Some((format!("/orders/{order}"), "View the order")),
                            (None, Some(ticket)) => Some((format!("/tickets/{ticket}"), "View the ticket")),
                            _ => None,
                        };
                        view! {
                            <li>
                                <time datetime=entry.happened_at.to_rfc3339()>{format::date_time(entry.happened_at)}</time>
                                <span class="what">{entry.text}</span>
                                {entry.actor.map(|actor| view! { <span class="who">"by "{actor}</span> })}
                                {entry.origin.map(|from| view! { <span class="origin">"from customer #"{from}</span> })}
                                {link.map(|(href, label)| view! { <A href=href>{label}</A> })}
                                {entry.undoable_merge.filter(|_| can_undo).map(|merge_id| view! {
                                    <crate::merges::view::UndoMergeButton merge_id />
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        <Pager
            label="Pages of the timeline"
            back=newer.then(|| PageStep::button("Newer", move || cursors.update(|c| { c.pop(); })))
            forward=next.map(|after| PageStep::button("Older", move || cursors.update(|c| c.push(after.clone()))))
        />
    }
}
