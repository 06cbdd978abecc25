//! The files block of the customer page: the list (name to download, size, type, who, when), "Delete",
//! and an upload form that is also a drop zone. Without JavaScript the form posts and comes back; with
//! it, the files go up in the background with a progress bar and the list refreshes.

use super::{CustomerFile, DeleteFile, list_files};
use crate::ui::feedback::{ActionError, error_of};
use crate::ui::format;
use crate::ui::heading::Heading;
use crate::ui::loaded::{Empty, Loaded};
use leptos::html::{Form, Input};
use leptos::prelude::*;

/// Where an upload stands (only the browser moves it on).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum UploadState {
    Idle,
    /// Sent so far, 0–100.
    Sending(u32),
    Done(String),
    Refused(String),
}

#[component]
pub fn Files(customer: i64, can_edit: bool, can_delete: bool, level: u8) -> impl IntoView {
    let delete = ServerAction::<DeleteFile>::new();
    let uploaded = RwSignal::new(0usize);
    let files = Resource::new(move || (delete.version().get(), uploaded.get()), move |_| list_files(customer));
    let heading = format!("files-{customer}");
    let labelled_by = heading.clone();
    view! {
        <section class="files" aria-labelledby=labelled_by>
            <Heading level id=heading>"Files"</Heading>
            {can_edit.then(|| view! { <UploadForm customer uploaded /> })}
            <ActionError error=error_of(delete.value()) />
            <Loaded resource=files loading="Loading files…" keep=true empty=Empty::when(Vec::is_empty, "No files yet.") show=move |files| view! {
                            <ul class="file-list">
                                {files.into_iter().map(|file| view! { <FileItem file delete can_delete /> }).collect_view()}
                            </ul>
                        } />
        </section>
    }
}

#[component]
fn FileItem(file: CustomerFile, delete: ServerAction<DeleteFile>, can_delete: bool) -> impl IntoView {
    let label = format!("Delete {}", file.name);
    view! {
        <li>
            <a href=format!("/files/{}", file.id) download=file.name.clone()>{file.name.clone()}</a>
            <span class="meta">
                " · "{format::bytes(file.size_bytes)}" · "{file.content_type}" · "
                {file.uploaded_by.unwrap_or_else(|| "A former member".into())}" · "
                <time datetime=file.created_at.to_rfc3339()>{format::date_time(file.created_at)}</time>
            </span>
            {can_delete.then(|| view! {
                <ActionForm action=delete attr:class="inline">
                    <input type="hidden" name="id" value=file.id.to_string() />
                    <button type="submit" class="secondary" aria-label=label>"Delete"</button>
                </ActionForm>
            })}
        </li>
    }
}

#[component]
fn UploadForm(customer: i64, uploaded: RwSignal<usize>) -> impl IntoView {
    let form = NodeRef::<Form>::new();
    let input = NodeRef::<Input>::new();
    let state = RwSignal::new(UploadState::Idle);
    let dragging = RwSignal::new(false);
    let field = format!("file-input-{customer}");
    let limit = format!("Up to {} a file.", format::bytes(super::MAX_FILE_BYTES as i64));
    let start = move || {
        if let (Some(form), Some(input)) = (form.get_untracked(), input.get_untracked()) {
            send(&form, &input, state, uploaded);
        }
    };
    view! {
        <form
            node_ref=form
            class="upload drop-zone"
            class:dragging=move || dragging.get()
            method="post"
            enctype="multipart/form-data"
            action=format!("/customers/{customer}/files")
            on:submit=move |ev| {
                ev.prevent_default();
                start();
            }
            on:dragover=move |ev| {
                // allows the drop
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev| {
                ev.prevent_default();
                dragging.set(false);
                let dropped = ev.data_transfer().and_then(|d| d.files());
                if let (Some(files), Some(input)) = (dropped, input.get_untracked()) {
                    input.set_files(Some(&files));
                    start();
                }
            }
        >
            <label for=field.clone()>"Choose files"</label>
            <input id=field type="file" name="file" multiple node_ref=input />
            <button type="submit" disabled=move || matches!(state.get(), UploadState::Sending(_))>"Upload"</button>
            <p class="hint">"…or drop files here. "{limit}</p>
            {move || match state.get() {
                UploadState::Idle => ().into_any(),
                UploadState::Sending(percent) => view! {
                    <p role="status">
                        <label>"Uploading… "{percent}"%"
                            <progress max="100" value=percent.to_string()></progress>
                        </label>
                    </p>
                }.into_any(),
                UploadState::Done(text) => view! { <p role="status">{text}</p> }.into_any(),
                UploadState::Refused(text) => view! { <p role="alert" class="error">{text}</p> }.into_any(),
            }}
        </form>
    }
}

/// Sends the form's files in the background: refuses files over the limit before sending (the server
/// checks again), reports progress, and refreshes the list when they are stored.
#[cfg(feature = "hydrate")]
fn send(
    form: &web_sys::HtmlFormElement,
    input: &web_sys::HtmlInputElement,
    state: RwSignal<UploadState>,
    uploaded: RwSignal<usize>,
) {
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;

    let files = input.files();
    let names: Vec<(String, f64)> = files
        .iter()
        .flat_map(|list| (0..list.length()).filter_map(move |i| list.item(i)))
        .map(|file| (file.name(), file.size()))
        .collect();
    if names.is_empty() {
        state.set(UploadState::Refused("Choose a file to upload first.".into()));
        return;
    }
    if let Some((name, size)) = names.iter().find(|(_, size)| *size > super::MAX_FILE_BYTES as f64) {
        state.set(UploadState::Refused(super::too_large_message(name, *size as u64)));
        return;
    }
    let failed =
        move || state.set(UploadState::Refused("The upload did not reach the server; please try again.".into()));
    let (Ok(data), Ok(request)) = (web_sys::FormData::new_with_form(form), web_sys::XmlHttpRequest::new()) else {
        return failed();
    };
    if request.open("POST", &form.action()).is_err()
        || request.set_request_header("Accept", "application/json").is_err()
    {
        return failed();
    }
    state.set(UploadState::Sending(0));
    let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
        if ev.length_computable() && ev.total() > 0.0 {
            state.set(UploadState::Sending((ev.loaded() / ev.total() * 100.0).round() as u32));
        }
    });
    if let Ok(upload) = request.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let answered = request.clone();
    let form = form.clone();
    let done = Closure::once_into_js(move || {
        drop(progress);
        let status = answered.status().unwrap_or(0);
        if (200..300).contains(&status) {
            let names: Vec<&str> = names.iter().map(|(name, _)| name.as_str()).collect();
            state.set(UploadState::Done(format!("Uploaded {}.", names.join(", "))));
            form.reset();
            uploaded.update(|n| *n += 1);
        } else {
            let text = answered.response_text().ok().flatten().filter(|t| !t.trim().is_empty());
            state.set(UploadState::Refused(text.unwrap_or_else(|| format!("The upload was refused ({status})."))));
        }
    });
    request.set_onload(Some(done.unchecked_ref()));
    let network = Closure::once_into_js(failed);
    request.set_onerror(Some(network.unchecked_ref()));
    if request.send_with_opt_form_data(Some(&data)).is_err() {
        failed();
    }
}

/// On the server the form is never sent this way: it posts itself.
#[cfg(not(feature = "hydrate"))]
fn send(_: &web_sys::HtmlFormElement, _: &web_sys::HtmlInputElement, _: RwSignal<UploadState>, _: RwSignal<usize>) {}
