//! The customer page's "In work" block (open tasks and open orders) and its "Tasks" section (every task
//! with its comments, the form for a new one, done and reopen).

use super::{AddTask, CommentTask, CustomerWork, SetTaskDone, Task, load_work};
use crate::error::AppError;
use crate::orders::status_label;
use crate::ui::feedback::{ActionError, error_of};
use crate::ui::format;
use crate::ui::heading::Heading;
use crate::ui::loaded::{Empty, Loaded};
use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::components::A;

/// The customer's work, read once for both blocks and again after each change.
#[derive(Clone, Copy)]
pub struct TaskBoard {
    customer: i64,
    add: ServerAction<AddTask>,
    comment: ServerAction<CommentTask>,
    done: ServerAction<SetTaskDone>,
    work: Resource<Result<CustomerWork, AppError>>,
}

impl TaskBoard {
    pub fn new(customer: i64) -> Self {
        let add = ServerAction::<AddTask>::new();
        let comment = ServerAction::<CommentTask>::new();
        let done = ServerAction::<SetTaskDone>::new();
        let work = Resource::new(
            move || (add.version().get(), comment.version().get(), done.version().get()),
            move |_| load_work(customer),
        );
        TaskBoard { customer, add, comment, done, work }
    }
}

/// "Overdue" in words and a sign, not by colour alone; the due day otherwise.
fn due_text(task: &Task) -> Option<AnyView> {
    let day = format::date(task.due_on?);
    Some(if task.overdue {
        view! { <span class="mark mark-overdue">"⚠ Overdue"</span>" · due "{day}}.into_any()
    } else {
        view! { "Due "{day} }.into_any()
    })
}

#[component]
pub fn InWork(board: TaskBoard, level: u8) -> impl IntoView {
    let customer = board.customer;
    let heading = format!("in-work-{customer}");
    let labelled_by = heading.clone();
    view! {
        <section class="in-work" aria-labelledby=labelled_by>
            <Heading level id=heading>"In work"</Heading>
            <Loaded
                resource=board.work
                loading="Loading…"
                keep=true
                empty=Empty::when(
                    |work: &CustomerWork| work.open_orders.is_empty() && work.tasks.iter().all(|t| t.done_at.is_some()),
                    "Nothing in work: no open tasks or orders.",
                )
                show=move |work| {
                    let open: Vec<Task> = work.tasks.into_iter().filter(|t| t.done_at.is_none()).collect();
                    view! {
                        <ul class="in-work-list">
                            {open.into_iter().map(|task| view! {
                                <li>
                                    <span class="kind">"Task"</span>" "
                                    <a href=format!("#task-{}", task.id)>{task.title.clone()}</a>
                                    {due_text(&task).map(|due| view! { " · "{due} })}
                                    {task.assignee.clone().map(|who| view! { " · "{who} })}
                                </li>
                            }).collect_view()}
                            {work.open_orders.into_iter().map(|order| view! {
                                <li>
                                    <span class="kind">"Order"</span>" "
                                    <A href=format!("/orders/{}", order.id)>{order.number.clone()}</A>
                                    " · "{status_label(&order.status)}" · "{format::money(order.total, &order.currency)}
                                    " · "{format::date(order.placed_on)}
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                }
            />
        </section>
    }
}

#[component]
pub fn Tasks(board: TaskBoard, can_edit: bool, level: u8) -> impl IntoView {
    let customer = board.customer;
    let title = NodeRef::<Input>::new();
    // a task added leaves the form empty for the next one
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(title)) = (board.add.value().get(), title.get()) {
            title.set_value("");
        }
    });
    let heading = format!("tasks-{customer}");
    let labelled_by = heading.clone();
    let field = move |name: &str| format!("task-{name}-{customer}");
    view! {
        <section class="tasks" aria-labelledby=labelled_by>
            <Heading level id=heading>"Tasks"</Heading>
            {can_edit.then(|| view! {
                <ActionForm action=board.add attr:class="task-form">
                    <input type="hidden" name="customer" value=customer.to_string() />
                    <div class="field">
                        <label for=field("title")>"Task title"</label>
                        <input id=field("title") name="title" required maxlength=super::MAX_TITLE node_ref=title />
                    </div>
                    <div class="field">
                        <label for=field("assignee")>"Assignee"</label>
                        <select id=field("assignee") name="assignee">
                            <option value="">"Nobody"</option>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    board.work.await.map(|work| work.members).unwrap_or_default().into_iter()
                                        .map(|(id, name)| view! { <option value=id.to_string()>{name}</option> })
                                        .collect_view()
                                })}
                            </Transition>
                        </select>
                    </div>
                    <div class="field">
                        <label for=field("due")>"Due date"</label>
                        <input id=field("due") name="due" type="date" />
                    </div>
                    <button type="submit" disabled=move || board.add.pending().get()>"Add task"</button>
                </ActionForm>
                <ActionError error=error_of(board.add.value()) />
            })}
            <ActionError error=error_of(board.comment.value()) />
            <ActionError error=error_of(board.done.value()) />
            <Loaded
                resource=board.work
                loading="Loading tasks…"
                keep=true
                empty=Empty::when(|work: &CustomerWork| work.tasks.is_empty(), "No tasks yet.")
                show=move |work| view! {
                    <ul class="task-list">
                        {work.tasks.into_iter().map(|task| view! { <TaskItem task board can_edit /> }).collect_view()}
                    </ul>
                }
            />
        </section>
    }
}

#[component]
fn TaskItem(task: Task, board: TaskBoard, can_edit: bool) -> impl IntoView {
    let id = task.id;
    let done = task.done_at.is_some();
    let state = match task.done_at {
        Some(at) => format!("Done {}", format::date_time(at)),
        None => "Open".to_string(),
    };
    let toggle_label = format!("{} “{}”", if done { "Reopen" } else { "Mark done" }, task.title);
    let comment_field = format!("task-comment-{id}");
    let comment_label = format!("Comment on “{}”", task.title);
    view! {
        <li id=format!("task-{id}") class:done=done class:overdue=task.overdue>
            <p class="task-title">
                {if done { "✓ " } else { "" }}<strong>{task.title.clone()}</strong>
            </p>
            <p class="meta">
                {state}
                {due_text(&task).map(|due| view! { " · "{due} })}
                " · "{task.assignee.clone().map_or_else(|| "Unassigned".to_string(), |who| format!("Assigned to {who}"))}
            </p>
            {can_edit.then(|| view! {
                <ActionForm action=board.done attr:class="inline">
                    <input type="hidden" name="task" value=id.to_string() />
                    <input type="hidden" name="done" value=(!done).to_string() />
                    <button type="submit" class="secondary" aria-label=toggle_label>
                        {if done { "Reopen" } else { "Mark done" }}
                    </button>
                </ActionForm>
            })}
            {(!task.comments.is_empty()).then(|| view! {
                <ul class="comments" aria-label=format!("Comments on “{}”", task.title)>
                    {task.comments.into_iter().map(|c| view! {
                        <li>
                            <p class="body">{c.body}</p>
                            <p class="meta">
                                {c.author.unwrap_or_else(|| "A former member".into())}" · "
                                <time datetime=c.created_at.to_rfc3339()>{format::date_time(c.created_at)}</time>
                            </p>
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {can_edit.then(|| view! {
                <ActionForm action=board.comment attr:class="comment-form">
                    <input type="hidden" name="task" value=id.to_string() />
                    <label for=comment_field.clone()>{comment_label}</label>
                    <textarea id=comment_field name="body" rows="2" required></textarea>
                    <button type="submit" class="secondary">"Add comment"</button>
                </ActionForm>
            })}
        </li>
    }
}
