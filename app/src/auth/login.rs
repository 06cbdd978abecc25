//! The sign-in page (`/login`): a plain form posted to the server, so it works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let params = use_query_map();
    let next = move || params.read().get("next").unwrap_or_else(|| "/customers".into());
    let failed = move || params.read().get("error").is_some();
    view! {
        <div class="sign-in">
            <h1>"Sign in to Customer View"</h1>
            <Show when=failed>
                <p role="alert" class="error">"The email or password is not right. Please try again."</p>
            </Show>
            <form method="post" action="/login">
                <input type="hidden" name="next" value=next />
                <label for="sign-in-email">"Email"</label>
                <input id="sign-in-email" name="email" type="email" autocomplete="username" required />
                <label for="sign-in-password">"Password"</label>
                <input
                    id="sign-in-password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                />
                <button type="submit">"Sign in"</button>
            </form>
        </div>
    }
}
