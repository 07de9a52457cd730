//! The caching strategies as a person sees them: navbar times, `X-Cache`, SQL
//! query counts and conditional GET, on every backend; then the HTTP rules.

mod bounded;
pub mod breaker;
mod coalescing;
mod codings;
mod http_rules;
pub mod matrix;
mod stampede;
