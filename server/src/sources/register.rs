//! The vocabulary of the register (Art. 30 AVG): legal bases, confidentiality and domains. The
//! words live in the `types` crate, shared with the pages; they are re-exported here, where the
//! register's code reaches for them.

pub use types::{Confidentiality, Domain, LegalBasis};
