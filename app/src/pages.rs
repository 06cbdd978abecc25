//! The pages whose code the browser fetches the first time one is opened (SPEC §8: the bundle a visitor
//! downloads first stays small). The customer list, which most visits start on, and the sign-in page stay in
//! the main bundle; each page here is a chunk of its own, split off at build time by `cargo leptos build
//! --split`, and code they share is a chunk the first of them loads. The server renders them as before.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// A route whose page is loaded on demand: `$route` names it in the route table, `$page` is its component.
macro_rules! on_demand {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_route: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

on_demand!(
    /// `/customers/{id}`
    CustomerRoute => crate::customers::detail::CustomerPage
);
on_demand!(
    /// `/duplicates`
    DuplicatesRoute => crate::duplicates::view::DuplicatesPage
);
on_demand!(
    /// `/exports`
    ExportsRoute => crate::exports::view::ExportsPage
);
on_demand!(
    /// `/merge?customers=12,34`
    MergeRoute => crate::merges::view::MergePage
);
on_demand!(
    /// `/orders`
    OrdersRoute => crate::orders::pages::OrdersPage
);
on_demand!(
    /// `/orders/{id}`
    OrderRoute => crate::orders::pages::OrderPage
);
on_demand!(
    /// `/tickets/{id}`
    TicketRoute => crate::tickets::view::TicketPage
);
on_demand!(
    /// `/settings/users`
    UsersRoute => crate::accounts::settings::UsersPage
);
on_demand!(
    /// `/settings/api-keys`
    ApiKeysRoute => crate::accounts::settings::ApiKeysPage
);
on_demand!(
    /// `/settings/channels`
    ChannelsRoute => crate::channels::settings::ChannelsPage
);
on_demand!(
    /// `/settings/import`
    ImportRoute => crate::imports::page::ImportPage
);
on_demand!(
    /// `/settings/custom-fields`
    CustomFieldsRoute => crate::custom_fields::settings::CustomFieldsPage
);

/// Loads, before the browser hydrates the page the server rendered, the chunks that page needs: its
/// route's (the router would otherwise hydrate the route only once its chunk arrived, after the rest of
/// the page — and the page's `data-hydrated` mark — had gone live, so that a click in between did
/// nothing), and those whose code it shows inside a Suspense (which hydrates only what is ready at once).
#[cfg(feature = "hydrate")]
pub async fn load_before_hydration() {
    let path = leptos::prelude::window().location().pathname().unwrap_or_default();
    load_route(&path).await;
    crate::customers::detail::load_profile_before_hydration().await;
}

/// The chunk of the on-demand route that `path` names (the paths of the route table in `crate::App`).
#[cfg(feature = "hydrate")]
async fn load_route(path: &str) {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["customers", _] => CustomerRoute::preload().await,
        ["merge"] => MergeRoute::preload().await,
        ["duplicates"] => DuplicatesRoute::preload().await,
        ["orders"] => OrdersRoute::preload().await,
        ["orders", _] => OrderRoute::preload().await,
        ["tickets", _] => TicketRoute::preload().await,
        ["settings", "users"] => UsersRoute::preload().await,
        ["settings", "api-keys"] => ApiKeysRoute::preload().await,
        ["settings", "custom-fields"] => CustomFieldsRoute::preload().await,
        ["settings", "channels"] => ChannelsRoute::preload().await,
        ["settings", "import"] => ImportRoute::preload().await,
        _ => {}
    }
}
