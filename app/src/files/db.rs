//! Files in the database: their bytes in `file.content`, each addition and deletion an event of the
//! customer (the deletion keeps the name and size, not the bytes).

use super::{CustomerFile, MAX_FILE_BYTES};
use crate::error::{AppError, AppResult};
use crate::timeline::Event;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

pub async fn files(pool: &PgPool, workspace_id: i64, customer: i64) -> AppResult<Vec<CustomerFile>> {
    crate::customers::require_customer(pool, workspace_id, customer).await?;
    Ok(sqlx::query_as!(
        CustomerFile,
        r#"select f.id, f.name, f.content_type, f.size_bytes,
                  coalesce(nullif(btrim(u.name), ''), u.email) as uploaded_by, f.created_at
             from file f left join user_account u on u.id = f.uploaded_by
            where f.workspace_id = $1 and f.customer_id = $2
            order by f.created_at desc, f.id desc
            limit 500"#,
        workspace_id,
        customer
    )
    .fetch_all(pool)
    .await?)
}

/// A file as the browser sent it.
pub struct Upload {
    /// The name on the sender's disk (some browsers send a whole path).
    pub name: String,
    /// The type the browser gave, if any.
    pub content_type: Option<String>,
    pub content: Vec<u8>,
}

/// The name without any folder, trimmed and at most 255 characters; `None` when nothing is left.
fn clean_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let base: String = base.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    (!base.is_empty() && base != "." && base != "..").then(|| base.chars().take(255).collect())
}

/// The browser's type when it names one, else the type the name's extension implies.
fn content_type(given: Option<&str>, name: &str) -> String {
    let given = given.map(|t| t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    let valid = |t: &str| {
        t.split_once('/').is_some_and(|(kind, sub)| {
            !kind.is_empty()
                && !sub.is_empty()
                && kind.chars().all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c))
                && sub.chars().all(|c| c.is_ascii_alphanumeric() || ".+_-".contains(c))
        })
    };
    match given {
        Some(t) if valid(&t) && t != "application/octet-stream" => t,
        _ => mime_guess::from_path(name).first_or_octet_stream().essence_str().to_string(),
    }
}

/// Checks every file first (a bad one refuses the whole upload, naming it), then stores them all.
pub async fn add(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: i64,
    now: DateTime<Utc>,
    customer: i64,
    uploads: &[Upload],
) -> AppResult<Vec<i64>> {
    if uploads.is_empty() {
        return Err(AppError::invalid("file", "choose a file to upload"));
    }
    let mut checked = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let Some(name) = clean_name(&upload.name) else {
            return Err(AppError::invalid("file", "a file without a name cannot be stored"));
        };
        if upload.content.len() > MAX_FILE_BYTES {
            return Err(too_large(&name, upload.content.len()));
        }
        if upload.content.is_empty() {
            return Err(AppError::invalid("file", format!("“{name}” is empty")));
        }
        let kind = content_type(upload.content_type.as_deref(), &name);
        checked.push((name, kind, upload.content.as_slice()));
    }
    crate::customers::require_customer(&mut *conn, workspace_id, customer).await?;
    let mut ids = Vec::with_capacity(checked.len());
    for (name, kind, content) in checked {
        let size = content.len() as i64;
        let id = sqlx::query_scalar!(
            "insert into file (workspace_id, customer_id, name, content_type, size_bytes, content, uploaded_by,
                               created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id",
            workspace_id,
            customer,
            name,
            kind,
            size,
            content,
            actor,
            now
        )
        .fetch_one(&mut *conn)
        .await?;
        let event = Event::FileAdded { file_id: id, name: name.to_string(), size_bytes: size };
        crate::timeline::record(conn, workspace_id, customer, Some(actor), now, event).await?;
        ids.push(id);
    }
    Ok(ids)
}

/// The refusal of a file over the limit, naming it and both sizes.
pub fn too_large(name: &str, size: usize) -> AppError {
    AppError::invalid("file", super::too_large_message(name, size as u64))
}

/// A stored file with its bytes, for download.
pub struct Stored {
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

pub async fn content(pool: &PgPool, workspace_id: i64, id: i64) -> AppResult<Stored> {
    sqlx::query_as!(
        Stored,
        "select name, content_type, content from file where workspace_id = $1 and id = $2",
        workspace_id,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)
}

pub async fn delete(
    conn: &mut PgConnection,
    workspace_id: i64,
    actor: i64,
    now: DateTime<Utc>,
    id: i64,
) -> AppResult<()> {
    let file = sqlx::query!(
        "delete from file where workspace_id = $1 and id = $2 returning customer_id, name, size_bytes",
        workspace_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let event = Event::FileDeleted { file_id: id, name: file.name, size_bytes: file.size_bytes };
    crate::timeline::record(conn, workspace_id, file.customer_id, Some(actor), now, event).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Role;
    use crate::accounts::db::{add_member, create_workspace};

    #[test]
    fn names_lose_their_folders_and_types_come_from_the_browser_or_the_name() {
        assert_eq!(clean_name("C:\\Users\\ann\\invoice 12.pdf").as_deref(), Some("invoice 12.pdf"));
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_name(" \u{7} "), None);
        assert_eq!(clean_name(".."), None);
        assert_eq!(content_type(Some("application/PDF"), "x.bin"), "application/pdf");
        assert_eq!(content_type(Some("text/plain; charset=utf-8"), "x"), "text/plain");
        assert_eq!(content_type(Some("application/octet-stream"), "photo.png"), "image/png");
        assert_eq!(content_type(None, "table.csv"), "text/csv");
        assert_eq!(content_type(Some("not a type"), "no-extension"), "application/octet-stream");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn files_are_stored_whole_or_not_at_all_and_deleted_with_a_trace(pool: PgPool) {
        let ws = create_workspace(&pool, "shop", "Shop", "EUR", "UTC").await.unwrap().id;
        let ann = add_member(&pool, ws, "ann@shop.example", Role::Agent, Some("$argon2id$test")).await.unwrap();
        let customer = crate::customers::manual_customer(&pool, ws).await;
        let now: DateTime<Utc> = "2026-03-01T10:00:00Z".parse().unwrap();
        let file = |name: &str, size: usize| Upload {
            name: name.into(),
            content_type: None,
            content: (0..size).map(|i| (i % 251) as u8).collect(),
        };

        // one file over the limit refuses the whole upload, naming it
        let mut tx = pool.begin().await.unwrap();
        let refused = add(
            &mut tx,
            ws,
            ann,
            now,
            customer,
            &[file("a.txt", 3), file("scan.pdf", MAX_FILE_BYTES + 2 * 1024 * 1024)],
        )
        .await
        .unwrap_err();
        match refused {
            AppError::Invalid(fields) => {
                assert_eq!(fields[0].message, "“scan.pdf” is 12.0 MB; a file can be at most 10.0 MB")
            }
            other => panic!("{other:?}"),
        }
        drop(tx);
        assert!(files(&pool, ws, customer).await.unwrap().is_empty());

        let mut tx = pool.begin().await.unwrap();
        let ids = add(&mut tx, ws, ann, now, customer, &[file("contract.pdf", MAX_FILE_BYTES), file("notes.txt", 5)])
            .await
            .unwrap();
        assert!(matches!(
            add(&mut tx, ws, ann, now, customer, &[file("empty.txt", 0)]).await,
            Err(AppError::Invalid(_))
        ));
        tx.commit().await.unwrap();
        let listed = files(&pool, ws, customer).await.unwrap();
        let seen: Vec<(&str, &str, i64)> =
            listed.iter().map(|f| (f.name.as_str(), f.content_type.as_str(), f.size_bytes)).collect();
        assert_eq!(seen, [("notes.txt", "text/plain", 5), ("contract.pdf", "application/pdf", MAX_FILE_BYTES as i64)]);
        let stored = content(&pool, ws, ids[0]).await.unwrap();
        assert_eq!(stored.content, file("contract.pdf", MAX_FILE_BYTES).content);

        // another workspace can neither read nor delete it, nor add to the customer
        let other = create_workspace(&pool, "other", "Other", "EUR", "UTC").await.unwrap().id;
        assert!(matches!(content(&pool, other, ids[0]).await, Err(AppError::NotFound)));
        assert!(matches!(files(&pool, other, customer).await, Err(AppError::NotFound)));
        let mut tx = pool.begin().await.unwrap();
        assert!(matches!(delete(&mut tx, other, ann, now, ids[0]).await, Err(AppError::NotFound)));
        assert!(matches!(add(&mut tx, other, ann, now, customer, &[file("x.txt", 1)]).await, Err(AppError::NotFound)));
        delete(&mut tx, ws, ann, now, ids[0]).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(files(&pool, ws, customer).await.unwrap().len(), 1);

        let tab = crate::timeline::timeline(&pool, ws, customer, "files", None, 10).await.unwrap();
        let texts: Vec<&str> = tab.items.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["File deleted: contract.pdf", "File added: notes.txt", "File added: contract.pdf"]);
    }
}
