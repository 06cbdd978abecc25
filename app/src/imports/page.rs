//! Settings → Import (admins): a Shopify customer export uploaded into a channel, then the import's
//! progress in place — rows read, customers created, updated and unchanged — and each row that could not
//! be read, by its line.

use super::CustomerImport;
#[cfg(feature = "ssr")]
use crate::accounts::Role;
use crate::accounts::settings::SettingsNav;
use crate::error::AppError;
use crate::jobs::JobStatus;
use crate::ui::format;
use crate::ui::loaded::Loaded;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::time::Duration;

/// How often a running import is asked about.
const POLL: Duration = Duration::from_secs(1);

#[server(endpoint = "import_status", output = crate::codec::TextJson)]
pub async fn import_status(id: i64) -> Result<CustomerImport, AppError> {
    crate::auth::guard(Role::Admin, |caller, state| async move {
        super::db::import(&state.pool, caller.workspace_id, id).await
    })
    .await
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let query = use_query_map();
    let job = move || query.read().get("job").and_then(|id| id.parse::<i64>().ok());
    let error = move || query.read().get("error");
    let channels = Resource::new(|| (), |_| crate::channels::api::list_channels());
    view! {
        <div class="settings">
            <h1>"Settings"</h1>
            <SettingsNav />
            <h2>"Import customers"</h2>
            <p>"A Shopify customer export (Customers → Export, CSV), in today's layout or the older one. Rows that cannot be read are listed with their line; the others go in. Importing the same file again changes nothing."</p>
            {move || error().map(|why| view! { <p class="error" role="alert">{format!("The file was not imported: {why}")}</p> })}
            <form method="post" action="/imports" enctype="multipart/form-data" class="stacked">
                <label for="import-channel">"Channel"</label>
                <Loaded resource=channels loading="Loading channels…" show=move |(_, channels)| view! {
                    <select id="import-channel" name="channel" required>
                        {channels
                            .into_iter()
                            .filter(|c| c.kind != crate::channels::ChannelKind::Manual)
                            .map(|c| view! { <option value=c.key.clone()>{format!("{} ({})", c.name, c.key)}</option> })
                            .collect_view()}
                    </select>
                } />
                <label for="import-file">"File"</label>
                <input id="import-file" name="file" type="file" accept=".csv,text/csv" required />
                <button type="submit">"Import"</button>
            </form>
            {move || job().map(|id| view! { <ImportProgress id /> })}
        </div>
    }
}

#[component]
fn ImportProgress(id: i64) -> impl IntoView {
    let finished = RwSignal::new(false);
    let tick = crate::ui::poll::ticking(move || !finished.get(), POLL);
    let state = Resource::new(move || tick.get(), move |_| import_status(id));
    Effect::new(move |_| {
        if let Some(Ok(import)) = state.get()
            && import.job.status.finished()
        {
            finished.set(true);
        }
    });
    view! {
        <h2>{format!("Import {id}")}</h2>
        <Loaded resource=state keep=true show=move |import: CustomerImport| view! { <ImportState import /> } />
    }
}

#[component]
fn ImportState(import: CustomerImport) -> impl IntoView {
    let job = &import.job;
    let (done, total) = (job.rows_done, job.rows_total);
    let words = match job.status {
        JobStatus::Queued => "Waiting to start…".to_string(),
        JobStatus::Running => match total {
            Some(total) => format!("Reading row {} of {}…", format::count(done), format::count(total)),
            None => "Reading the file…".to_string(),
        },
        JobStatus::Done => format!(
            "Done: {} rows read into {}. Customers added: {}, updated: {}, unchanged: {}.",
            format::count(done),
            import.channel,
            format::count(import.created.into()),
            format::count(import.updated.into()),
            format::count(import.unchanged.into())
        ),
        JobStatus::Failed => format!("The import failed: {}", job.error.clone().unwrap_or_default()),
        JobStatus::Canceled => "Canceled.".to_string(),
    };
    let bar = (!job.status.finished()).then(|| {
        let max = total.unwrap_or(0).max(1);
        view! { <progress aria-label="Import progress" max=max.to_string() value=done.to_string()></progress> }
    });
    let problems = (import.problem_count > 0).then(|| {
        let shown = import.problems.len() as i64;
        let more = (import.problem_count > shown)
            .then(|| format!("The first {} of {} are shown.", format::count(shown), format::count(import.problem_count)));
        view! {
            <h3>{format!("Rows that could not be read: {}", format::count(import.problem_count))}</h3>
            {more.map(|more| view! { <p>{more}</p> })}
            <table class="plain">
                <thead><tr><th scope="col">"Line"</th><th scope="col">"Why"</th></tr></thead>
                <tbody>
                    {import.problems.iter().map(|p| view! { <tr><td>{p.line}</td><td>{p.reason.clone()}</td></tr> }).collect_view()}
                </tbody>
            </table>
        }
    });
    view! {
        <div class="import-progress" role="status">
            {bar}
            <p>{words}</p>
        </div>
        {problems}
    }
}
