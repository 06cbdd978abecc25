//! The browser's side of live updates: one `EventSource` per tab, opened when the app comes alive and
//! kept across its pages; what it hears goes into a short journal that pages follow (`Live::follow`).

use super::Change;
use leptos::prelude::*;
use std::collections::VecDeque;

/// How much of what was heard is kept for pages that have not looked yet.
const JOURNAL: usize = 256;

/// Something the stream said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    Change(Change),
    /// Events were missed: read everything shown again.
    Resync,
}

impl Heard {
    /// Whether this may concern `customer`.
    pub fn touches(&self, customer: i64) -> bool {
        match self {
            Heard::Change(change) => change.may_touch(customer),
            Heard::Resync => true,
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Journal {
    next: u64,
    entries: VecDeque<(u64, Heard)>,
}

/// The tab's stream, in the app's context.
#[derive(Clone, Copy)]
pub struct Live(RwSignal<Journal>);

impl Live {
    /// Once, by the app: the stream opens in the browser (not on the sign-in page).
    pub fn provide() {
        let live = Live(RwSignal::new(Journal::default()));
        provide_context(live);
        #[cfg(feature = "hydrate")]
        Effect::new(move |_| browser::open(live));
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn hear(self, heard: Heard) {
        self.0.update(|journal| {
            journal.entries.push_back((journal.next, heard));
            journal.next += 1;
            if journal.entries.len() > JOURNAL {
                journal.entries.pop_front();
            }
        });
    }

    /// Calls `heard` with everything the stream says from now on, in order (a `Resync` in place of what
    /// came too fast to be seen). In the browser only.
    pub fn follow(mut heard: impl FnMut(&Heard) + 'static) {
        let Some(Live(journal)) = use_context::<Live>() else { return };
        let mut seen = journal.with_untracked(|j| j.next);
        Effect::new(move |_| {
            journal.with(|j| {
                let oldest = j.entries.front().map_or(j.next, |(n, _)| *n);
                if seen < oldest {
                    heard(&Heard::Resync);
                    seen = oldest;
                }
                j.entries.iter().filter(|(n, _)| *n >= seen).for_each(|(_, h)| heard(h));
                seen = j.next;
            })
        });
    }
}

/// Runs `refresh` now, or once the member has stopped typing in a field inside `within` (a CSS selector):
/// a refresh never takes a half-written note or task away.
pub fn refresh_when_idle(within: &'static str, refresh: impl Fn() + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    {
        if browser::typing_in(within) {
            let again = refresh.clone();
            set_timeout(move || refresh_when_idle(within, again), std::time::Duration::from_secs(1));
            return;
        }
    }
    let _ = within;
    refresh();
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Heard, Live};
    use crate::live::{CHANGE_EVENT, Change, RESYNC_EVENT};
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;

    pub fn open(live: Live) {
        if window().location().pathname().is_ok_and(|path| path == "/login") {
            return;
        }
        let Ok(source) = web_sys::EventSource::new("/events") else { return };
        let change = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if let Some(change) = event.data().as_string().and_then(|text| serde_json::from_str::<Change>(&text).ok()) {
                live.hear(Heard::Change(change));
            }
        });
        let resync = Closure::<dyn FnMut()>::new(move || live.hear(Heard::Resync));
        let _ = source.add_event_listener_with_callback(CHANGE_EVENT, change.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback(RESYNC_EVENT, resync.as_ref().unchecked_ref());
        // the tab's one stream, for as long as the tab is open (the browser closes it with the tab)
        change.forget();
        resync.forget();
        std::mem::forget(source);
    }

    /// Whether the focus is in a field inside `within`.
    pub fn typing_in(within: &str) -> bool {
        document().active_element().is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                && element.closest(within).ok().flatten().is_some()
        })
    }
}
