//! Tables of records: headers with their scope (and, for a sortable column, a link that sorts by it
//! with `aria-sort`), figures right-aligned, and cells that carry their column's name, which is what a
//! phone shows beside each value when the rows become cards.

use leptos::prelude::*;
use leptos_router::components::A;

/// How a column sorts: the URL that sorts by it, and whether the table is sorted by it now (`Some`:
/// descending or not).
#[derive(Debug, Clone, PartialEq)]
pub struct SortLink {
    pub href: String,
    pub current: Option<bool>,
}

/// A column's header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub label: &'static str,
    pub numeric: bool,
    pub sort: Option<SortLink>,
}

impl Header {
    pub fn new(label: &'static str) -> Self {
        Header { label, numeric: false, sort: None }
    }

    /// A column of figures.
    pub fn numeric(self) -> Self {
        Header { numeric: true, ..self }
    }

    pub fn sorted(self, sort: SortLink) -> Self {
        Header { sort: Some(sort), ..self }
    }
}

/// A table of class `class` with these headers; `children` are its rows (`<tr>` of `Cell`s).
#[component]
pub fn DataTable(#[prop(into)] class: String, headers: Vec<Header>, children: Children) -> impl IntoView {
    view! {
        <table class=class>
            <thead>
                <tr>{headers.into_iter().map(header).collect_view()}</tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

fn header(header: Header) -> impl IntoView {
    match header.sort {
        None => view! { <th scope="col" class:num=header.numeric>{header.label}</th> }.into_any(),
        Some(SortLink { href, current }) => {
            let aria_sort = match current {
                Some(true) => "descending",
                Some(false) => "ascending",
                None => "none",
            };
            let arrow = match current {
                Some(true) => " ↓",
                Some(false) => " ↑",
                None => "",
            };
            view! {
                <th scope="col" aria-sort=aria_sort class:num=header.numeric>
                    <A href=href>{header.label}<span aria-hidden="true">{arrow}</span></A>
                </th>
            }
            .into_any()
        }
    }
}

/// A cell of the column `label`; `numeric`: a figure.
#[component]
pub fn Cell(label: &'static str, #[prop(optional)] numeric: bool, children: Children) -> impl IntoView {
    view! { <td data-label=label class:num=numeric>{children()}</td> }
}
