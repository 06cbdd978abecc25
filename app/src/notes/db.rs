//! Notes in the database, each addition and deletion recorded as an event of the customer.

use super::{MAX_NOTE, Note};
use crate::error::{AppError, AppResult};
use crate::timeline::Event;
use crate::ui::format::excerpt;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

pub async fn notes(pool: &PgPool, workspace_id: i64, customer: i64) -> AppResult<Vec<Note>> {
    crate::customers::require_customer(pool, workspace_id, customer).await?;
    Ok(sqlx::query_as!(
        Note,
        r#"select n.id, n.body, coalesce(nullif(btrim(u.name), ''), u.email) as author, n.created_at
             from note n left join user_account u on u.id = n.author_id
            where n.workspace_id = $1 and n.customer_id = $2
            order by n.created_at desc, n.id desc
            limit 500"#,
        workspace_id,
        customer
    )
    .fetch_all(pool)
    .await?)
}

pub async fn add(
    conn: &mut PgConnection,
    workspace_id: i64,
    author: i64,
    now: DateTime<Utc>,
    customer: i64,
    body: &str,
) -> AppResult<i64> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "write something first"));
    }
    if body.chars().count() > MAX_NOTE {
        return Err(AppError::invalid("body", format!("a note holds at most {MAX_NOTE} characters")));
    }
    let id = sqlx::query_scalar!(
        "insert into note (workspace_id, customer_id, author_id, body, created_at, updated_at)
         select $1, id, $3, $4, $5, $5 from customer where workspace_id = $1 and id = $2
         returning id",
        workspace_id,
        customer,
        author,
        body,
        now
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let event = Event::NoteAdded { note_id: id, excerpt: excerpt(body) };
    crate::timeline::record(conn, workspace_id, customer, Some(author), now, event).await?;
    Ok(id)
}

/// Deletes the note; the event keeps its text, so nothing said is lost.
pub async fn delete(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: i64,
    now: DateTime<Utc>,
    id: i64,
) -> AppResult<()> {
    let note = sqlx::query!(
        "delete from note where workspace_id = $1 and id = $2 returning customer_id, body",
        workspace_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let event = Event::NoteDeleted { note_id: id, excerpt: excerpt(&note.body), body: note.body };
    crate::timeline::record(conn, workspace_id, note.customer_id, Some(actor), now, event).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Role;
    use crate::accounts::db::{add_member, create_workspace};

    #[sqlx::test(migrations = "../migrations")]
    async fn notes_are_added_and_deleted_with_a_trace(pool: PgPool) {
        let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let ann = add_member(&pool, ws, "ann@shop.example", Role::Agent, Some("$argon2id$test")).await.unwrap();
        let customer = crate::customers::manual_customer(&pool, ws).await;
        let now: DateTime<Utc> = "2026-03-01T10:00:00Z".parse().unwrap();
        let mut tx = pool.begin().await.unwrap();
        let body = "  Called about the <script>alert(1)</script> refund.\nWill call back Monday.  ";
        let id = add(&mut tx, ws, ann, now, customer, body).await.unwrap();
        assert!(
            matches!(add(&mut tx, ws, ann, now, customer, "   ").await, Err(AppError::Invalid(e)) if e[0].path == "body")
        );
        let long = "x".repeat(MAX_NOTE + 1);
        assert!(matches!(add(&mut tx, ws, ann, now, customer, &long).await, Err(AppError::Invalid(_))));
        tx.commit().await.unwrap();

        let listed = notes(&pool, ws, customer).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].body, "Called about the <script>alert(1)</script> refund.\nWill call back Monday.");
        assert_eq!(listed[0].author.as_deref(), Some("ann@shop.example"));

        // another workspace can neither see nor delete it
        let other = create_workspace(&pool, "other", "Other", "EUR", "UTC").await.unwrap().id;
        assert!(matches!(notes(&pool, other, customer).await, Err(AppError::NotFound)));
        let mut tx = pool.begin().await.unwrap();
        assert!(matches!(delete(&mut tx, other, ann, now, id).await, Err(AppError::NotFound)));
        delete(&mut tx, ws, ann, now, id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(notes(&pool, ws, customer).await.unwrap().is_empty());

        let tab = crate::timeline::timeline(&pool, ws, customer, "notes", None, 10).await.unwrap();
        let texts: Vec<&str> = tab.items.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Note deleted: “Called about the <script>alert(1)</script> refund.”",
                "Note added: “Called about the <script>alert(1)</script> refund.”"
            ]
        );
        assert!(tab.items.iter().all(|e| e.actor.as_deref() == Some("ann@shop.example")));
    }
}
