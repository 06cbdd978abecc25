//! The browser entry point: hydrates the server-rendered page with the same `app` components.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        // pages are chunks fetched on demand (`app::pages`): those the page needs come first
        app::pages::load_before_hydration().await;
        leptos::mount::hydrate_lazy(app::App);
    });
}
