//! The reference of a rights request, as citizens see it: `AVG-2026-000123`.

use serde::{Deserialize, Serialize};

/// A request reference: `AVG-`, the year of receipt, `-`, the request's number with at least six
/// digits. Made by [`RequestReference::new`] and read by [`RequestReference::parse`], so both
/// directions follow one rule.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestReference(String);

impl RequestReference {
    /// The reference of request `number`, received in `year`.
    pub fn new(year: i32, number: i64) -> Self {
        Self(format!("AVG-{year:04}-{number:06}"))
    }

    /// Reads `AVG-YYYY-NNNNNN` (six digits or more).
    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split('-');
        let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
        let ok = parts.next() == Some("AVG")
            && parts.next().is_some_and(|y| y.len() == 4 && digits(y))
            && parts.next().is_some_and(|n| n.len() >= 6 && digits(n))
            && parts.next().is_none();
        ok.then(|| Self(raw.to_owned()))
    }

    /// The reference as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RequestReference {
    type Error = crate::UnknownWord;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or(crate::UnknownWord {
            vocabulary: "RequestReference",
            value,
        })
    }
}

impl From<RequestReference> for String {
    fn from(reference: RequestReference) -> Self {
        reference.0
    }
}

#[cfg(test)]
mod tests {
    use super::RequestReference;

    #[test]
    fn what_new_makes_parse_reads() {
        for (year, number) in [(2026, 1), (2026, 123), (2031, 999_999), (2031, 1_234_567)] {
            let made = RequestReference::new(year, number);
            assert_eq!(
                RequestReference::parse(made.as_str()),
                Some(made.clone()),
                "{made}"
            );
        }
        assert_eq!(RequestReference::new(2026, 123).as_str(), "AVG-2026-000123");
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "AVG-2026-12345",
            "AVG-26-000123",
            "avg-2026-000123",
            "AVG-2026-000123-1",
            "AVG-2026-00012a",
            "pending-ab12",
        ] {
            assert_eq!(RequestReference::parse(bad), None, "{bad}");
        }
    }
}
