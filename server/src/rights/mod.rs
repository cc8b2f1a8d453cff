//! Rights requests (Art. 15–21 and the BRP protocol): the law's deadlines, the workflow's
//! transition table, and the services that file, decide, execute and answer them.

pub mod answers;
pub mod deadlines;
pub mod letters;
pub mod requests;
pub mod workflow;
