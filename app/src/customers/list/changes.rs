//! The list's side of live updates (SPEC §10): it tells how many customers changed since it loaded and
//! shows them on a click — the rows never move by themselves under the pointer — and the segments'
//! counts follow as customers join and leave them.

use super::filter_options;
use super::query::CustomerQuery;
use crate::customers::types::SegmentCount;
use crate::live::view::{Heard, Live};
use crate::ui::format;
use leptos::prelude::*;
use std::collections::BTreeSet;
use std::time::Duration;

/// What was written since the list loaded.
#[derive(Clone, Copy)]
pub struct Changed {
    customers: RwSignal<BTreeSet<i64>>,
    unnamed: RwSignal<i64>,
    /// Events were missed: anything may have changed.
    missed: RwSignal<bool>,
}

impl Changed {
    /// Counts from now on, and again from naught whenever the view (`query`) changes.
    pub fn follow(query: Memo<CustomerQuery>) -> Changed {
        let changed = Changed {
            customers: RwSignal::new(BTreeSet::new()),
            unnamed: RwSignal::new(0),
            missed: RwSignal::new(false),
        };
        Effect::new(move |_| {
            query.track();
            changed.clear();
        });
        Live::follow(move |heard| match heard {
            Heard::Change(change) => {
                if !change.customers.is_empty() {
                    changed.customers.update(|all| all.extend(change.customers.iter().copied()));
                }
                if change.unnamed > 0 {
                    changed.unnamed.update(|n| *n += change.unnamed);
                }
            }
            Heard::Resync => changed.missed.set(true),
        });
        changed
    }

    fn clear(self) {
        self.customers.set(BTreeSet::new());
        self.unnamed.set(0);
        self.missed.set(false);
    }

    fn count(self) -> i64 {
        self.customers.with(|c| c.len() as i64) + self.unnamed.get()
    }
}

/// "3 customers changed since this list loaded — Show the changes", above the page, over it rather than
/// in its flow: nothing shifts when it appears.
#[component]
pub fn ChangedBanner(changed: Changed, reload: RwSignal<u64>) -> impl IntoView {
    let text = move || {
        let n = changed.count();
        match (n, changed.missed.get()) {
            (0, false) => None,
            (0, true) => Some("Customers may have changed since this list loaded".to_string()),
            (n, _) => Some(format!(
                "{} {} changed since this list loaded",
                format::count(n),
                if n == 1 { "customer" } else { "customers" }
            )),
        }
    };
    view! {
        <div class="live-banner" role="status">
            {move || text().map(|text| view! {
                <p>
                    {text}" "
                    <button type="button" on:click=move |_| {
                        changed.clear();
                        reload.update(|n| *n += 1);
                    }>"Show the changes"</button>
                </p>
            })}
        </div>
    }
}

/// The segments' counts as they move, read again at most every `COUNTS_EVERY` while customers change;
/// until then the counts the page loaded with.
#[derive(Clone, Copy)]
pub struct LiveCounts(RwSignal<Option<Vec<SegmentCount>>>);

const COUNTS_EVERY: Duration = Duration::from_secs(1);

impl LiveCounts {
    pub fn follow() -> LiveCounts {
        let counts = LiveCounts(RwSignal::new(None));
        let waiting = StoredValue::new(false);
        Live::follow(move |heard| {
            let written = match heard {
                Heard::Change(change) => change.written() > 0,
                Heard::Resync => true,
            };
            if written && !waiting.get_value() {
                waiting.set_value(true);
                set_timeout(
                    move || {
                        leptos::task::spawn_local(async move {
                            // the list may have been left meanwhile: then nobody reads them
                            if let Ok(options) = filter_options().await {
                                counts.0.try_set(Some(options.segments));
                            }
                            waiting.try_set_value(false);
                        })
                    },
                    COUNTS_EVERY,
                );
            }
        });
        counts
    }

    /// The members of segment `key` now, or `loaded` when nothing moved.
    pub fn members(self, key: &str, loaded: i64) -> i64 {
        self.0
            .with(|counts| counts.as_ref().and_then(|c| c.iter().find(|s| s.key == key)).map_or(loaded, |s| s.members))
    }
}
