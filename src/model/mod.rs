//! What the services send, as types: one module per service's models (`roma`, `apig`,
//! `clouddc`), declared with `fields::model!` (the struct and its streaming decode), the
//! lenient field decoders they share (`lenient`), open status vocabularies
//! (`vocab`), and each service's status words mapped onto one lifecycle (`phases`).
//!
//! Models depend only on the foundations (`crate::error`, `crate::lifecycle`): nothing here
//! sends a request or knows about credentials.

pub(crate) mod apig;
pub(crate) mod clouddc;
pub(crate) mod fields;
pub(crate) mod lenient;
pub(crate) mod phases;
pub(crate) mod roma;
pub(crate) mod vocab;
