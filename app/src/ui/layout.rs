//! The bar at the top of every page: the product, the workspace (with a switcher when there are
//! several), the signed-in member and sign-out.

use crate::auth::api::current_caller;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TopBar() -> impl IntoView {
    let caller = Resource::new(|| (), |_| current_caller());
    view! {
        <header class="top">
            <A href="/customers" attr:class="brand">"Customer View"</A>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    caller.await.ok().flatten().map(|(caller, workspaces)| {
                        let current = caller.workspace_id;
                        view! {
                            <nav class="account" aria-label="Account">
                                {(workspaces.len() > 1).then(|| view! {
                                    <form method="post" action="/workspace" class="switch">
                                        <label for="workspace-switch">"Workspace"</label>
                                        <select id="workspace-switch" name="workspace_id">
                                            {workspaces.into_iter().map(|w| view! {
                                                <option value=w.id.to_string() selected=w.id == current>{w.name}</option>
                                            }).collect_view()}
                                        </select>
                                        <button type="submit">"Switch"</button>
                                    </form>
                                })}
                                <A href="/duplicates">"Duplicates"</A>
                                {caller.role.allows(crate::accounts::Role::Agent).then(|| view! {
                                    <A href="/exports">"Exports"</A>
                                })}
                                {caller.role.allows(crate::accounts::Role::Admin).then(|| view! {
                                    <A href="/settings/users">"Settings"</A>
                                })}
                                <span class="who">
                                    {caller.email}" · "{caller.role.to_string()}" · "{caller.workspace_name}
                                </span>
                                <form method="post" action="/logout">
                                    <button type="submit" class="secondary">"Sign out"</button>
                                </form>
                            </nav>
                        }
                    })
                })}
            </Suspense>
            // beside the account, not inside it: a resource made after the caller's has loaded would be
            // read back out of order when the page comes alive in the browser
            <crate::notifications::view::Bell />
        </header>
    }
}
