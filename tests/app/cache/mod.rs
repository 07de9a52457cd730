//! The cache API on each backend: one conformance suite run against all four,
//! plus what only some backends have (culling, corrupt files and rows) and the
//! failure policy.

mod conformance;
mod culling;
mod failure;
pub mod subjects;
