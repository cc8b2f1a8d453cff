//! Development only: the DigiD stand-in, the demo municipality, the scale seed and the file
//! mailbox. None of it
//! is mounted or runs in production mode (`Settings::validate` refuses it).

pub mod demo;
pub mod digid;
pub mod mailbox;
pub mod scale;
