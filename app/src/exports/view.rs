//! The export controls: "Download CSV" beside the list (at once up to `IMMEDIATE_ROWS` customers, else an
//! export job whose progress shows in place, with Cancel and, once written, the file), and `/exports`,
//! every export of the workspace.

use super::{CancelExport, Export, IMMEDIATE_ROWS, KEPT_DAYS, StartExport, export_status, list_exports};
use crate::customers::list::CustomerQuery;
use crate::jobs::JobStatus;
use crate::ui::format;
use crate::ui::loaded::{Empty, Loaded};
use crate::ui::table::{Cell, DataTable, Header};
use leptos::prelude::*;
use leptos_router::components::A;
use std::time::Duration;

/// How often a page asks again about exports under way.
const POLL: Duration = Duration::from_secs(1);

/// Beside the list: the file at once when `total` (exact up to `IMMEDIATE_ROWS`) allows, else a button
/// that starts an export and then follows it.
#[component]
pub fn ExportControl(query: CustomerQuery, total: i64) -> impl IntoView {
    let text = query.first_page().query_string();
    if total <= IMMEDIATE_ROWS {
        let href =
            if text.is_empty() { "/customers/export.csv".to_string() } else { format!("/customers/export.csv?{text}") };
        let noun = if total == 1 { "customer" } else { "customers" };
        return view! {
            <p class="export">
                <a class="button secondary" href=href download="customers.csv">
                    {format!("Download CSV ({} {noun})", format::count(total))}
                </a>
            </p>
        }
        .into_any();
    }
    let start = ServerAction::<StartExport>::new();
    view! {
        <div class="export">
            {move || match start.value().get() {
                Some(Ok(id)) => view! { <ExportProgress id /> }.into_any(),
                other => {
                    let text = text.clone();
                    view! {
                        <button type="button" class="secondary" disabled=move || start.pending().get()
                            on:click=move |_| { start.dispatch(StartExport { query: text.clone(), bom: false }); }>
                            {format!("Download CSV (more than {} customers)", format::count(IMMEDIATE_ROWS))}
                        </button>
                        {other.and_then(Result::err).map(|error| view! { <p role="alert">{error.to_string()}</p> })}
                    }
                    .into_any()
                }
            }}
        </div>
    }
    .into_any()
}

/// An export under way: its progress, Cancel, and the file once written.
#[component]
fn ExportProgress(id: i64) -> impl IntoView {
    let cancel = ServerAction::<CancelExport>::new();
    let finished = RwSignal::new(false);
    let tick = crate::ui::poll::ticking(move || !finished.get(), POLL);
    let state = Resource::new(move || (tick.get(), cancel.version().get()), move |_| export_status(id));
    Effect::new(move |_| {
        if let Some(Ok(export)) = state.get()
            && export.job.status.finished()
            && !finished.get_untracked()
        {
            finished.set(true);
            crate::notifications::view::BellRefresh::ring();
        }
    });
    view! {
        <Loaded resource=state keep=true show={move |export: Export| view! { <Progress export cancel /> }} />
    }
}

#[component]
fn Progress(export: Export, cancel: ServerAction<CancelExport>) -> impl IntoView {
    let id = export.job.id;
    let status = export.job.status;
    let (done, total) = (export.job.rows_done, export.job.rows_total);
    let words = match (status, total) {
        _ if export.job.cancel_requested && !status.finished() => "Canceling…".to_string(),
        (JobStatus::Queued, _) => "Waiting to start…".to_string(),
        (JobStatus::Running, None) => "Finding the customers…".to_string(),
        (JobStatus::Running, Some(total)) => {
            format!("Writing {} of {} customers…", format::count(done), format::count(total))
        }
        (JobStatus::Done, _) => format!("Ready: {} customers", format::count(total.unwrap_or(done))),
        (JobStatus::Failed, _) => format!("The export failed: {}", export.job.error.clone().unwrap_or_default()),
        (JobStatus::Canceled, _) => "Canceled.".to_string(),
    };
    let bar = (!status.finished()).then(|| {
        let max = total.unwrap_or(0).max(1);
        view! { <progress aria-label=format!("Export {id}") max=max.to_string() value=done.to_string()></progress> }
    });
    view! {
        <div class="export-progress" role="status">
            {bar}
            <span>{words}</span>
            {export.downloadable().then(|| view! {
                <a class="button" href=export.download_path() download="">"Download the file"</a>
            })}
            {(!status.finished() && !export.job.cancel_requested).then(|| view! {
                <button type="button" class="secondary" disabled=move || cancel.pending().get()
                    on:click=move |_| { cancel.dispatch(CancelExport { id }); }>"Cancel"</button>
            })}
            " "<A href="/exports">"All exports"</A>
        </div>
    }
}

/// `/exports`: every export of the workspace, newest first.
#[component]
pub fn ExportsPage() -> impl IntoView {
    let cancel = ServerAction::<CancelExport>::new();
    let active = RwSignal::new(false);
    let tick = crate::ui::poll::ticking(move || active.get(), POLL);
    let list = Resource::new(move || (tick.get(), cancel.version().get()), |_| list_exports());
    Effect::new(move |_| {
        if let Some(Ok(exports)) = list.get() {
            active.set(exports.iter().any(|e| !e.job.status.finished()));
        }
    });
    view! {
        <h1>"Exports"</h1>
        <p class="hint">{format!("Files are kept {KEPT_DAYS} days. Start an export from the customer list with “Download CSV”.")}</p>
        <Loaded
            resource=list
            loading="Loading exports…"
            keep=true
            empty={Empty::when(|e: &Vec<Export>| e.is_empty(), "No exports yet.")}
            show={move |exports: Vec<Export>| view! { <ExportTable exports cancel /> }}
        />
    }
}

#[component]
fn ExportTable(exports: Vec<Export>, cancel: ServerAction<CancelExport>) -> impl IntoView {
    let headers = vec![
        Header::new("Started"),
        Header::new("By"),
        Header::new("Customers"),
        Header::new("Rows").numeric(),
        Header::new("Status"),
        Header::new("File"),
    ];
    view! {
        <DataTable class="exports" headers>
            {exports.into_iter().map(|export| view! { <ExportRow export cancel /> }).collect_view()}
        </DataTable>
    }
}

#[component]
fn ExportRow(export: Export, cancel: ServerAction<CancelExport>) -> impl IntoView {
    let id = export.job.id;
    let list = if export.query.is_empty() { "/customers".to_string() } else { format!("/customers?{}", export.query) };
    let filter = export.filter.clone();
    let rows = export.job.rows_total.map(format::count).unwrap_or_else(|| "–".into());
    let status = export.job.status;
    let progress = match (status, export.job.rows_total) {
        _ if export.job.cancel_requested && !status.finished() => "Canceling…".to_string(),
        (JobStatus::Running, Some(total)) if total > 0 => {
            format!("Running: {}%", export.job.rows_done * 100 / total)
        }
        (JobStatus::Failed, _) => format!("Failed: {}", export.job.error.clone().unwrap_or_default()),
        _ => status.label().to_string(),
    };
    let file = if export.expired {
        view! { <span>"Expired"</span> }.into_any()
    } else if export.downloadable() {
        let until = export.expires_at.map(|t| format!(" (until {})", format::date_time(t))).unwrap_or_default();
        view! {
            <a href=export.download_path() download="">
                {format!("Download export {id} ({})", format::bytes(export.bytes))}
            </a>
            <span class="hint">{until}</span>
        }
        .into_any()
    } else if !status.finished() && !export.job.cancel_requested {
        view! {
            <button type="button" class="secondary" aria-label=format!("Cancel export {id}")
                on:click=move |_| { cancel.dispatch(CancelExport { id }); }>"Cancel"</button>
        }
        .into_any()
    } else {
        view! { <span>"–"</span> }.into_any()
    };
    view! {
        <tr>
            <Cell label="Started">{format::date_time(export.job.created_at)}</Cell>
            <Cell label="By">{export.job.started_by.unwrap_or_else(|| "API".into())}</Cell>
            <Cell label="Customers"><A href=list>{filter}</A></Cell>
            <Cell label="Rows" numeric=true>{rows}</Cell>
            <Cell label="Status">{progress}</Cell>
            <Cell label="File">{file}</Cell>
        </tr>
    }
}
