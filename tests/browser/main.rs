//! End-to-end tests in a real headless Chromium, driven over WebDriver: each walks a
//! step of the tutorial as a reader does — refresh, read the navbar time, open the
//! toolbar — against the real server binary. Screenshots of each scenario's last
//! page go to `target/e2e-screenshots/`, and the dark theme on a phone's width is
//! shot step by step.

mod accessibility;
mod browser;
mod compare;
mod invalidation;
mod lab;
mod scenarios;
#[path = "../support/server.rs"]
#[allow(
    dead_code,
    reason = "this target uses only part of the shared server helper"
)]
mod server;
mod tutorial;
