//! Integration tests: the router driven with `tower::ServiceExt::oneshot` on a fresh
//! temporary database per test, plus a few tests of the real binary.

mod bad_input;
mod bench;
mod binary;
mod cache;
mod canonical;
mod compare;
mod connections;
mod contrast;
mod helpers;
mod invalidation;
mod lab;
mod not_found;
mod pages;
mod seeding;
#[path = "../support/server.rs"]
mod server;
mod settings;
mod settings_words;
mod static_files;
mod strategies;
mod toolbar;
mod toolbar_lifetime;
mod toolbar_panels;
mod toolbar_tabs;
mod toolbar_truth;
mod tutorial;
mod tutorial_docs;
mod tutorial_pages;
