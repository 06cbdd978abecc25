//! Closed vocabularies (statuses, kinds, built-in segments): enums stored and sent as the same text as
//! always, each value with its key, the label people read, and parsing back. `vocabulary!` writes the
//! enum and those three from one table, so that a value cannot have a key without a label.

/// An enum whose values are keys of a closed list: `as_str`, `label`, `parse`, `ALL` and `KEYS`, and
/// serde as the key.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $key:literal, $label:literal;)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $($(#[$variant_meta])* #[serde(rename = $key)] $variant,)+
        }

        impl $name {
            /// Every value, in the order they are listed (and shown).
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The keys of every value, as stored.
            pub const KEYS: &'static [&'static str] = &[$($key),+];

            /// The key, as stored and sent.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)+
                }
            }

            /// What people read.
            pub const fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// The value with this key.
            pub fn parse(key: &str) -> Option<$name> {
                match key {
                    $($key => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
pub(crate) mod tests {
    crate::vocabulary! {
        enum Colour {
            Red = "red", "Red";
            DarkBlue = "dark_blue", "Dark blue";
        }
    }

    #[test]
    fn a_vocabulary_reads_and_writes_its_keys() {
        for colour in Colour::ALL {
            assert_eq!(Colour::parse(colour.as_str()), Some(*colour));
            assert_eq!(serde_json::to_value(colour).unwrap(), colour.as_str());
        }
        assert_eq!(Colour::KEYS, ["red", "dark_blue"]);
        assert_eq!(Colour::DarkBlue.label(), "Dark blue");
        assert_eq!(Colour::parse("Red"), None);
        assert_eq!(serde_json::from_str::<Colour>("\"dark_blue\"").unwrap(), Colour::DarkBlue);
    }

    /// The values the database accepts in `table.column` (its check constraint), sorted.
    #[cfg(feature = "ssr")]
    pub(crate) async fn accepted(pool: &sqlx::PgPool, table: &str, column: &str) -> Vec<String> {
        let check: String = sqlx::query_scalar(
            "select pg_get_constraintdef(c.oid) from pg_constraint c
              where c.conrelid = $1::regclass and c.contype = 'c'
                and pg_get_constraintdef(c.oid) ~ ('^CHECK \\(\\(+' || $2 || ' = ANY')",
        )
        .bind(table)
        .bind(column)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("no check of {table}.{column}: {e}"));
        let mut values: Vec<String> = check.split('\'').skip(1).step_by(2).map(str::to_string).collect();
        values.sort();
        values
    }

    /// Every vocabulary is the list its column accepts: a value added on one side only fails here.
    #[cfg(feature = "ssr")]
    #[sqlx::test(migrations = "../migrations")]
    async fn the_database_accepts_exactly_each_vocabulary(pool: sqlx::PgPool) {
        let sorted = |keys: &[&str]| {
            let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            keys.sort();
            keys
        };
        use crate::accounts::Role;
        let roles: Vec<&str> = [Role::Admin, Role::Agent, Role::Viewer].map(Role::as_str).to_vec();
        for (table, column, keys) in [
            ("customer_order", "status", crate::orders::OrderStatus::KEYS),
            ("shipping_update", "status", crate::orders::ShippingStatus::KEYS),
            ("ticket", "status", crate::tickets::TicketStatus::KEYS),
            ("message", "direction", crate::tickets::Direction::KEYS),
            ("message", "kind", crate::tickets::MessageKind::KEYS),
            ("channel", "kind", crate::channels::ChannelKind::KEYS),
            ("membership", "role", &roles),
        ] {
            assert_eq!(accepted(&pool, table, column).await, sorted(keys), "{table}.{column}");
        }
    }
}
