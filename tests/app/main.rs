//! Integration tests: the router driven with `tower::ServiceExt::oneshot` on a fresh
//! temporary database per test, plus a few tests of the real binary.

mod binary;
mod cache;
mod helpers;
mod lab;
mod not_found;
mod pages;
mod seeding;
mod settings;
mod strategies;
mod toolbar;
