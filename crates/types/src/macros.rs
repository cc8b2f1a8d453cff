//! `vocabulary!`: one table per enum gives its variants, stored values and translation keys.

/// Declares a vocabulary enum: `Name, "translation prefix" { Variant => "stored", … }`; a
/// variant whose translation key is not `prefix.stored` says so: `Variant => "stored" as "key"`.
///
/// Generates the enum (serde and, with the `db` feature, sea-orm `DeriveActiveEnum` on a text
/// column, both using the stored value), `ALL`, `as_str`, `parse`, `key` (`prefix.stored`),
/// `Display` (the stored value) and `FromStr`.
macro_rules! vocabulary {
    (@key $prefix:literal, $value:literal) => { concat!($prefix, ".", $value) };
    (@key $prefix:literal, $value:literal, $key:literal) => { $key };
    (
        $(#[$meta:meta])*
        $name:ident, $prefix:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $value:literal $(as $key:literal)? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "Text"))]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $value)]
                #[cfg_attr(feature = "db", sea_orm(string_value = $value))]
                $variant,
            )+
        }

        impl $name {
            /// Every word, in the order forms and filters offer them.
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// The stored value (also the form and URL value).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)+
                }
            }

            /// The word for a stored value, if it is one.
            pub fn parse(value: &str) -> Option<Self> {
                match value {
                    $($value => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The translation key of its display text.
            pub const fn key(self) -> &'static str {
                match self {
                    $($name::$variant => vocabulary!(@key $prefix, $value $(, $key)?),)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownWord;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::parse(value).ok_or_else(|| $crate::UnknownWord {
                    vocabulary: stringify!($name),
                    value: value.to_owned(),
                })
            }
        }
    };
}

pub(crate) use vocabulary;
