//! The bell in the top bar: the unread count, the latest notifications with their links, "Mark all read".

use super::{Inbox, MarkRead, load_inbox};
use crate::live::Change;
use crate::live::view::{Heard, Live};
use crate::ui::format;
use leptos::prelude::*;
use std::time::Duration;

/// How often the bell asks again on its own (live updates tell it at once; this is for when the stream
/// is down).
const POLL: Duration = Duration::from_secs(60);

/// Tells the bell to look again at once (a page saw something finish that notifies: an export it followed).
#[derive(Clone, Copy)]
pub struct BellRefresh(pub RwSignal<u64>);

impl BellRefresh {
    pub fn provide() {
        provide_context(BellRefresh(RwSignal::new(0)));
    }

    /// Asks the bell, if there is one on the page, to look again.
    pub fn ring() {
        if let Some(BellRefresh(asked)) = use_context::<BellRefresh>() {
            asked.update(|n| *n += 1);
        }
    }
}

#[component]
pub fn Bell() -> impl IntoView {
    let mark = ServerAction::<MarkRead>::new();
    let tick = crate::ui::poll::ticking(|| true, POLL);
    let asked = use_context::<BellRefresh>().map(|BellRefresh(asked)| asked);
    let told = RwSignal::new(0u64);
    Live::follow(move |heard| {
        if matches!(heard, Heard::Resync | Heard::Change(Change { notified: true, .. })) {
            told.update(|n| *n += 1);
        }
    });
    let inbox =
        Resource::new(move || (tick.get(), mark.version().get(), asked.map(|a| a.get()), told.get()), |_| load_inbox());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                inbox.await.ok().flatten().map(|inbox: Inbox| {
                    let label = match inbox.unread {
                        0 => "Notifications".to_string(),
                        n => format!("Notifications, {} unread", format::count(n)),
                    };
                    view! {
                        <details class="bell">
                            <summary aria-label=label.clone() title=label>
                                "🔔"{(inbox.unread > 0).then(|| view! { <span class="unread">{format::count(inbox.unread)}</span> })}
                            </summary>
                            <div class="bell-list">
                                {if inbox.latest.is_empty() {
                                    view! { <p>"No notifications."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul>
                                            {inbox.latest.into_iter().map(|n| {
                                                let id = n.id;
                                                let text = n.title.clone();
                                                let when = format::date_time(n.created_at);
                                                let item = match n.link {
                                                    Some(link) => view! {
                                                        <a href=link on:click=move |_| { mark.dispatch(MarkRead { id: Some(id) }); }>{text}</a>
                                                    }.into_any(),
                                                    None => view! { <span>{text}</span> }.into_any(),
                                                };
                                                view! { <li class:unread=!n.read>{item}" "<span class="hint">{when}</span></li> }
                                            }).collect_view()}
                                        </ul>
                                        {(inbox.unread > 0).then(|| view! {
                                            <button type="button" class="secondary"
                                                on:click=move |_| { mark.dispatch(MarkRead { id: None }); }>"Mark all read"</button>
                                        })}
                                    }.into_any()
                                }}
                            </div>
                        </details>
                    }
                })
            })}
        </Transition>
    }
}
