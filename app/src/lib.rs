//! Customer View: the shared Leptos app (server-rendered, hydrated in the browser).

pub mod accounts;
pub mod auth;
pub mod bulk;
pub mod channels;
pub mod checks;
pub mod clock;
pub mod codec;
pub mod custom_fields;
pub mod customers;
pub mod duplicates;
#[cfg(feature = "ssr")]
pub mod edge;
pub mod error;
pub mod exports;
pub mod files;
#[cfg(feature = "ssr")]
pub mod hooks;
pub mod imports;
#[cfg(feature = "ssr")]
pub mod ingest;
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod keyset;
pub mod live;
pub mod merges;
pub mod notes;
pub mod notifications;
pub mod orders;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod plans;
pub mod segments;
pub mod sentiment;
#[cfg(feature = "ssr")]
pub mod state;
pub mod tasks;
pub mod tickets;
pub mod timeline;
pub mod ui;
pub mod vocabulary;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, StaticSegment, path};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    notifications::view::BellRefresh::provide();
    live::view::Live::provide();
    // Set once the wasm has taken over the page: browser tests wait for it.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <Stylesheet id="leptos" href="/pkg/customer-view.css" />
        <Title text="Customer View" />
        <Router>
            <ui::layout::TopBar />
            <main data-hydrated=move || hydrated.get().then_some("true")>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=StaticSegment("login") view=auth::login::LoginPage />
                    <Route path=path!("/settings/users") view={Lazy::<pages::UsersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings/api-keys") view={Lazy::<pages::ApiKeysRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings/channels") view={Lazy::<pages::ChannelsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings/import") view={Lazy::<pages::ImportRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings/custom-fields") view={Lazy::<pages::CustomFieldsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/customers/:id") view={Lazy::<pages::CustomerRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/duplicates") view={Lazy::<pages::DuplicatesRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/exports") view={Lazy::<pages::ExportsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/merge") view={Lazy::<pages::MergeRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/orders") view={Lazy::<pages::OrdersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/orders/:id") view={Lazy::<pages::OrderRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/tickets/:id") view={Lazy::<pages::TicketRoute>::new()} ssr=SsrMode::Async />
                    <Route
                        path=StaticSegment("customers")
                        view=customers::list::CustomerListPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>"Page not found"</h1>
        <p><A href="/customers">"Go to the customer list"</A></p>
    }
}
