//! pokedex — a Pokémon catalogue that teaches web caching, ported from the starter
//! project of the tutorial "Improving Django Performance using Caching".

pub mod access;
pub mod app;
pub mod bench;
pub mod cache;
pub mod commands;
pub mod db;
pub mod encoding;
pub mod error;
pub mod lab;
pub mod logging;
pub mod record;
pub mod server;
pub mod settings;
pub mod toolbar;
pub mod tutorial;
pub mod web;
