//! Shopify's customer export, in both of its header layouts: today's (`Customer ID`, `Default Address
//! Address1`, …) and the older template's (`Address1`, `Province Code`, …, without a customer id). Headers
//! are matched without regard to case; ids, phones and postal codes may carry the leading `'` Shopify
//! writes to keep spreadsheets from reading them as numbers. Each row becomes a customer sync, checked as
//! `POST /api/v1/customers` checks one. `Total Spent` and `Total Orders` are not imported: a customer's
//! figures are computed from the orders themselves.

use crate::error::FieldError;
use crate::ingest::{CustomerSync, parse_customer_sync};
use serde_json::{Map, Value, json};

/// A column the importer reads, with the headers it goes by (lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    CustomerId,
    FirstName,
    LastName,
    Email,
    AcceptsEmail,
    Company,
    Address1,
    Address2,
    City,
    Province,
    Country,
    Zip,
    AddressPhone,
    Phone,
}

const COLUMNS: &[(Column, &[&str])] = &[
    (Column::CustomerId, &["customer id", "id"]),
    (Column::FirstName, &["first name"]),
    (Column::LastName, &["last name"]),
    (Column::Email, &["email"]),
    (Column::AcceptsEmail, &["accepts email marketing", "accepts marketing"]),
    (Column::Company, &["default address company", "company"]),
    (Column::Address1, &["default address address1", "address1"]),
    (Column::Address2, &["default address address2", "address2"]),
    (Column::City, &["default address city", "city"]),
    (Column::Province, &["default address province code", "province code", "province"]),
    (Column::Country, &["default address country code", "country code", "country"]),
    (Column::Zip, &["default address zip", "zip"]),
    (Column::AddressPhone, &["default address phone"]),
    (Column::Phone, &["phone"]),
];

/// Where each column is in the file: the first header naming it, in the order of `COLUMNS`' names (so
/// "Province Code" wins over "Province" when both are there).
#[derive(Debug, Clone)]
pub struct Layout {
    at: Vec<(Column, usize)>,
    headers: Vec<String>,
}

impl Layout {
    /// The layout of a file with these headers; refused when it is not a customer export.
    pub fn read(headers: &csv::StringRecord) -> Result<Layout, String> {
        let names: Vec<String> =
            headers.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase()).collect();
        let mut at = Vec::new();
        for (column, aliases) in COLUMNS {
            if let Some(index) = aliases.iter().find_map(|alias| names.iter().position(|n| n == alias)) {
                at.push((*column, index));
            }
        }
        let has = |c: Column| at.iter().any(|(column, _)| *column == c);
        if !has(Column::Email) || !(has(Column::FirstName) || has(Column::CustomerId)) {
            return Err("this is not a Shopify customer export: it needs at least the columns Email and First Name \
                        (or Customer ID)"
                .into());
        }
        Ok(Layout { at, headers: headers.iter().map(str::to_string).collect() })
    }

    fn get<'r>(&self, record: &'r csv::StringRecord, column: Column) -> Option<&'r str> {
        let index = self.at.iter().find(|(c, _)| *c == column)?.1;
        let value = record.get(index)?.trim();
        let value = value.strip_prefix('\'').unwrap_or(value).trim();
        (!value.is_empty()).then_some(value)
    }

    /// The header of the column `index`, as the file writes it.
    fn header(&self, column: Column) -> &str {
        self.at.iter().find(|(c, _)| *c == column).map_or("", |(_, i)| self.headers[*i].as_str())
    }
}

/// A row read: the customer, and whether they accept email marketing when the file says.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub customer: CustomerSync,
    pub accepts_email: Option<bool>,
}

/// One row of the file for channel `channel`: the customer, or why it cannot be read.
pub fn row(layout: &Layout, record: &csv::StringRecord, channel: &str) -> Result<Row, String> {
    let get = |column| layout.get(record, column);
    if [Column::CustomerId, Column::Email, Column::Phone, Column::FirstName, Column::LastName]
        .iter()
        .all(|c| get(*c).is_none())
    {
        return Err("the row names no customer: no id, email, phone or name".into());
    }
    let mut value = Map::new();
    value.insert("channel".into(), json!(channel));
    let mut put = |key: &str, column| {
        if let Some(text) = get(column) {
            value.insert(key.into(), json!(text));
        }
    };
    put("external_id", Column::CustomerId);
    put("first_name", Column::FirstName);
    put("last_name", Column::LastName);
    put("email", Column::Email);
    put("company", Column::Company);
    let phone = get(Column::Phone).or(get(Column::AddressPhone));
    if let Some(phone) = phone {
        value.insert("phone".into(), json!(phone));
    }
    if let Some(other) = get(Column::AddressPhone).filter(|p| Some(*p) != phone) {
        value.insert("phones".into(), json!([other]));
    }
    let name = [get(Column::FirstName), get(Column::LastName)].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let country = get(Column::Country).filter(|c| c.len() == 2).map(str::to_uppercase);
    let address = json!({
        "name": (!name.is_empty()).then_some(name),
        "company": get(Column::Company),
        "line1": get(Column::Address1),
        "line2": get(Column::Address2),
        "city": get(Column::City),
        "region": get(Column::Province),
        "postal_code": get(Column::Zip),
        "country": country,
    });
    value.insert("shipping_address".into(), address);
    let accepts_email = match get(Column::AcceptsEmail).map(str::to_lowercase).as_deref() {
        None => None,
        Some("yes" | "true" | "1") => Some(true),
        Some("no" | "false" | "0") => Some(false),
        Some(other) => {
            return Err(format!("{}: {other:?} is neither yes nor no", layout.header(Column::AcceptsEmail)));
        }
    };
    let customer = parse_customer_sync(&Value::Object(value), "$").map_err(|errors| described(layout, &errors))?;
    Ok(Row { customer, accepts_email })
}

/// Field errors named by the file's own headers.
fn described(layout: &Layout, errors: &[FieldError]) -> String {
    let header = |path: &str| {
        let column = match path.trim_start_matches("$.") {
            "external_id" => Column::CustomerId,
            "first_name" => Column::FirstName,
            "last_name" => Column::LastName,
            "email" => Column::Email,
            "company" | "shipping_address.company" => Column::Company,
            "phone" => Column::Phone,
            p if p.starts_with("phones") => Column::AddressPhone,
            "shipping_address.line1" => Column::Address1,
            "shipping_address.line2" => Column::Address2,
            "shipping_address.city" => Column::City,
            "shipping_address.region" => Column::Province,
            "shipping_address.country" => Column::Country,
            "shipping_address.postal_code" => Column::Zip,
            _ => return path.to_string(),
        };
        match layout.header(column) {
            "" => path.to_string(),
            header => header.to_string(),
        }
    };
    errors.iter().map(|e| format!("{}: {}", header(&e.path), e.message)).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row with the line it starts on.
    type Rows = Vec<(u64, Result<Row, String>)>;

    fn read(text: &str) -> (Layout, Rows) {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let layout = Layout::read(reader.headers().unwrap()).unwrap();
        let rows = reader
            .records()
            .map(|r| {
                let record = r.unwrap();
                let line = record.position().unwrap().line();
                (line, row(&layout, &record, "shopify-eu"))
            })
            .collect();
        (layout, rows)
    }

    const CURRENT: &str = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,\
Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,\
Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,\
Total Orders,Note,Tax Exempt,Tags
'7093941223597,Russell,Winfield,russel.winfield@example.com,yes,Acme,105 Victoria St,,Toronto,ON,CA,'M5C1N7,\
'+16135550135,'+16135550135,no,0.00,0,,no,
'7093941256365,Karine,Ruby,not-an-email,no,,,,,,,,,,no,0.00,0,,no,\"VIP, wholesale\"
";

    #[test]
    fn todays_layout_reads_ids_names_contacts_and_the_default_address() {
        let (_, rows) = read(CURRENT);
        let (line, first) = &rows[0];
        assert_eq!(*line, 2);
        let first = first.as_ref().unwrap();
        let c = &first.customer;
        assert_eq!(c.customer.external_id.as_deref(), Some("7093941223597"));
        assert_eq!(
            (c.customer.first_name.as_deref(), c.customer.last_name.as_deref()),
            (Some("Russell"), Some("Winfield"))
        );
        assert_eq!(c.customer.email.as_deref(), Some("russel.winfield@example.com"));
        assert_eq!(c.customer.phone.as_deref(), Some("+16135550135"));
        assert!(c.phones.is_empty(), "the same phone twice is one phone");
        assert_eq!(c.company.as_deref(), Some("Acme"));
        let address = c.shipping_address.as_ref().unwrap();
        assert_eq!(
            (address.line1.as_deref(), address.city.as_deref(), address.region.as_deref()),
            (Some("105 Victoria St"), Some("Toronto"), Some("ON"))
        );
        assert_eq!((address.postal_code.as_deref(), address.country.as_deref()), (Some("M5C1N7"), Some("CA")));
        assert_eq!(first.accepts_email, Some(true));
        // the second row's problem is named by its column, on its own line
        assert_eq!(rows[1].0, 3);
        let problem = rows[1].1.as_ref().unwrap_err();
        assert!(problem.starts_with("Email: "), "{problem}");
    }

    #[test]
    fn the_older_layout_has_no_id_and_its_own_address_headers() {
        let text = "First Name,Last Name,Email,Company,Address1,Address2,City,Province,Province Code,Country,\
Country Code,Zip,Phone,Accepts Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt
Ana,Silva,ana@example.com,,Rua Augusta 10,,Lisboa,Lisboa,11,Portugal,PT,1100-053,+351 21 000 0000,no,10.00,1,,,no
";
        let (_, rows) = read(text);
        let row = rows[0].1.as_ref().unwrap();
        assert_eq!(row.customer.customer.external_id, None);
        let address = row.customer.shipping_address.as_ref().unwrap();
        // "Province Code" wins over "Province"; "Country Code" over "Country"
        assert_eq!((address.region.as_deref(), address.country.as_deref()), (Some("11"), Some("PT")));
        assert_eq!(row.accepts_email, Some(false));
    }

    #[test]
    fn headers_match_without_case_and_other_files_are_refused() {
        let mut reader = csv::Reader::from_reader("EMAIL,first name\nx@example.com,X\n".as_bytes());
        assert!(Layout::read(reader.headers().unwrap()).is_ok());
        let mut reader = csv::Reader::from_reader("Name,Amount\nX,1\n".as_bytes());
        let refused = Layout::read(reader.headers().unwrap()).unwrap_err();
        assert!(refused.contains("not a Shopify customer export"));
    }

    #[test]
    fn an_empty_row_and_a_bad_marketing_answer_are_problems() {
        let (_, rows) = read("Email,First Name,Accepts Email Marketing\n,,\nx@example.com,X,maybe\n");
        assert!(rows[0].1.as_ref().unwrap_err().contains("names no customer"));
        assert!(rows[1].1.as_ref().unwrap_err().contains("Accepts Email Marketing"));
    }
}
