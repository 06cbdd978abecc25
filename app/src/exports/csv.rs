//! The export's file: one row per customer with the list's columns and the rest of SPEC §10 (ids, every
//! email and phone, average order value, dates, manager, marks, subscription, custom fields), written by
//! the `csv` crate (quoting) with every cell made safe to open in a spreadsheet.

use crate::custom_fields::CustomField;
use crate::error::{AppError, AppResult};
use crate::sentiment::Sentiment;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashMap;

/// Excel reads a file as UTF-8 when it starts with this.
pub const BOM: &str = "\u{feff}";

/// A spreadsheet takes a cell starting with one of these as a formula (or, for tab and carriage return, as
/// a hidden one): such cells are written with a `'` first, which spreadsheets show as text.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

pub fn safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// One customer as the file shows it. Times are in the workspace's time zone, as the list shows them.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub id: i64,
    pub channel: String,
    pub external_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    /// Names of the segments the customer is in.
    pub segments: Vec<String>,
    pub sentiment: Option<Sentiment>,
    pub total_order_value: Decimal,
    pub orders: i32,
    pub average_order_value: Option<Decimal>,
    pub latest_purchase: Option<String>,
    pub customer_since: Option<String>,
    pub registered: bool,
    pub registered_at: String,
    pub manager: Option<String>,
    pub vip_mark: bool,
    pub bad_mark: bool,
    pub email_subscription: String,
    /// Custom field values as text, by the field's id.
    pub fields: HashMap<i64, String>,
}

/// The columns of one workspace's file: the fixed ones and its custom fields, in their order.
pub struct Columns {
    pub currency: String,
    pub time_zone: String,
    pub fields: Vec<CustomField>,
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

impl Columns {
    pub fn header(&self) -> Vec<String> {
        let (currency, zone) = (&self.currency, &self.time_zone);
        let mut header: Vec<String> = [
            "ID",
            "Channel",
            "Channel customer ID",
            "First name",
            "Last name",
            "Company",
            "Emails",
            "Phones",
            "Segments",
            "Mood",
        ]
        .map(String::from)
        .into();
        header.extend([
            format!("Total order value ({currency})"),
            "Orders".to_string(),
            format!("Average order value ({currency})"),
            format!("Latest purchase ({zone})"),
            format!("Customer since ({zone})"),
            "Registered".to_string(),
            format!("Registered at ({zone})"),
            "Manager".to_string(),
            "VIP mark".to_string(),
            "BAD mark".to_string(),
            "Email subscription".to_string(),
        ]);
        header.extend(self.fields.iter().map(|f| f.label.clone()));
        header
    }

    pub fn record(&self, row: &ExportRow) -> Vec<String> {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let mut record = vec![
            row.id.to_string(),
            row.channel.clone(),
            text(&row.external_id),
            row.first_name.clone(),
            row.last_name.clone(),
            text(&row.company),
            row.emails.join("; "),
            row.phones.join("; "),
            row.segments.join("; "),
            row.sentiment.map(|s| s.face().1.to_string()).unwrap_or_default(),
            row.total_order_value.to_string(),
            row.orders.to_string(),
            row.average_order_value.map(|v| v.round_dp(2).to_string()).unwrap_or_default(),
            text(&row.latest_purchase),
            text(&row.customer_since),
            yes_no(row.registered).to_string(),
            row.registered_at.clone(),
            text(&row.manager),
            yes_no(row.vip_mark).to_string(),
            yes_no(row.bad_mark).to_string(),
            row.email_subscription.clone(),
        ];
        record.extend(self.fields.iter().map(|f| row.fields.get(&f.id).cloned().unwrap_or_default()));
        record
    }
}

/// Writes records into a buffer that the caller empties (a chunk of the file at a time).
pub struct Writer {
    csv: csv::Writer<Vec<u8>>,
}

impl Writer {
    pub fn new() -> Writer {
        Writer { csv: csv::Writer::from_writer(Vec::new()) }
    }

    pub fn write(&mut self, record: &[String]) -> AppResult<()> {
        for cell in record {
            self.csv.write_field(safe(cell).as_bytes()).map_err(AppError::internal)?;
        }
        self.csv.write_record(None::<&[u8]>).map_err(AppError::internal)
    }

    /// The bytes written since the last take.
    pub fn take(&mut self) -> AppResult<Vec<u8>> {
        let written = std::mem::replace(&mut self.csv, csv::Writer::from_writer(Vec::new()));
        written.into_inner().map_err(AppError::internal)
    }
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_start_with_an_apostrophe() {
        for cell in ["=HYPERLINK(\"http://x\")", "+49 30 123", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(safe(cell), format!("'{cell}"));
        }
        for cell in ["Anna", "", "1,5", "a=b", " =x", "'quoted"] {
            assert_eq!(safe(cell), cell);
        }
    }

    #[test]
    fn quotes_commas_quotes_and_line_breaks() {
        let mut writer = Writer::new();
        writer.write(&["a,b".into(), "say \"hi\"".into(), "two\nlines".into(), "plain".into()]).unwrap();
        writer.write(&["=1+1".into(), "Zoë".into(), "".into(), "x".into()]).unwrap();
        let text = String::from_utf8(writer.take().unwrap()).unwrap();
        assert_eq!(text, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain\n'=1+1,Zoë,,x\n");
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][2], "two\nlines");
        assert_eq!(&rows[1][0], "'=1+1");
        assert!(writer.take().unwrap().is_empty(), "taken once");
    }
}
