//! Rows in PostgreSQL's COPY text format, streamed in chunks of about a megabyte.

use anyhow::Result;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use sqlx::postgres::PgCopyIn;
use std::fmt::Write;

const CHUNK: usize = 1 << 20;

pub struct Copy<'c> {
    stream: PgCopyIn<&'c mut PgConnection>,
    buf: Vec<u8>,
}

impl<'c> Copy<'c> {
    /// Starts `COPY <target> FROM STDIN`; `target` is a table with its column list.
    pub async fn begin(conn: &'c mut PgConnection, target: &str) -> Result<Self> {
        let stream = conn.copy_in_raw(&format!("copy {target} from stdin")).await?;
        Ok(Copy { stream, buf: Vec::with_capacity(CHUNK + 4096) })
    }

    pub fn row(&mut self) -> Row<'_> {
        Row { buf: &mut self.buf, first: true }
    }

    pub async fn flush_if_full(&mut self) -> Result<()> {
        if self.buf.len() >= CHUNK {
            self.stream.send(std::mem::take(&mut self.buf)).await?;
            self.buf.reserve(CHUNK + 4096);
        }
        Ok(())
    }

    pub async fn finish(mut self) -> Result<u64> {
        if !self.buf.is_empty() {
            self.stream.send(std::mem::take(&mut self.buf)).await?;
        }
        Ok(self.stream.finish().await?)
    }
}

/// One row: columns in the order of the COPY column list, then `end`.
pub struct Row<'b> {
    buf: &'b mut Vec<u8>,
    first: bool,
}

impl Row<'_> {
    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b'\t');
        }
        self.first = false;
    }

    pub fn text(mut self, value: &str) -> Self {
        self.sep();
        for &b in value.as_bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                b => self.buf.push(b),
            }
        }
        self
    }

    pub fn null(mut self) -> Self {
        self.sep();
        self.buf.extend_from_slice(b"\\N");
        self
    }

    pub fn opt(self, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    fn display(mut self, value: impl std::fmt::Display) -> Self {
        self.sep();
        let mut s = String::new();
        let _ = write!(s, "{value}");
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    pub fn int(self, value: i64) -> Self {
        self.display(value)
    }

    pub fn opt_int(self, value: Option<i64>) -> Self {
        match value {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    pub fn bool(self, value: bool) -> Self {
        self.display(if value { 't' } else { 'f' })
    }

    pub fn dec(self, value: Decimal) -> Self {
        self.display(value)
    }

    pub fn opt_dec(self, value: Option<Decimal>) -> Self {
        match value {
            Some(v) => self.dec(v),
            None => self.null(),
        }
    }

    pub fn opt_float(self, value: Option<f64>) -> Self {
        match value {
            Some(v) => self.display(v),
            None => self.null(),
        }
    }

    pub fn time(self, value: DateTime<Utc>) -> Self {
        self.display(value.format("%Y-%m-%d %H:%M:%S+00"))
    }

    pub fn end(self) {
        self.buf.push(b'\n');
    }
}
