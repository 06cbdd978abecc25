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
    /// `/settings/custom-fields`
    CustomFieldsRoute => crate::custom_fields::settings::CustomFieldsPage
);

/// Loads, before the browser hydrates the page the server rendered, the chunks whose code that page shows
/// inside a Suspense (which hydrates only what is ready at once). The routes' own chunks need nothing
/// here: the router loads them while it hydrates.
#[cfg(feature = "hydrate")]
pub async fn load_before_hydration() {
    crate::customers::detail::load_profile_before_hydration().await;
}
