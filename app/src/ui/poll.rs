//! Asking again while something runs on the server (an export, a bulk action) or may have arrived (the
//! bell): a counter that resources read as a source.

use leptos::prelude::*;
use std::time::Duration;

/// A signal that counts up `every` so often while `active` is true (in the browser): resources that read it
/// load again.
pub fn ticking(active: impl Fn() -> bool + Send + Sync + 'static, every: Duration) -> ReadSignal<u64> {
    let (tick, set_tick) = signal(0u64);
    Effect::new(move |_| {
        // again after every tick, for as long as it is active
        tick.track();
        if active()
            && let Ok(handle) = set_timeout_with_handle(move || set_tick.update(|t| *t += 1), every)
        {
            on_cleanup(move || handle.clear());
        }
    });
    tick
}
