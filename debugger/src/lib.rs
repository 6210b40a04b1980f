//! The `zkdbg` command: run, profile and debug zkVM guests.
//!
//! The library half holds what the subcommands share: loading a guest with
//! its options ([`guest`]), source-level symbolization ([`source`]) and the
//! `run` report ([`run`]).

pub mod commands;
pub mod core;
pub mod exec;
pub mod gdb;
pub mod guest;
pub mod run;
pub mod tui;
pub use zkdbg_symbols::source;
