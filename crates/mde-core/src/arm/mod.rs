//! ARM models (serde) for every resource the app reads, as ARM returns them.
//!
//! Tolerant: unknown fields are ignored, optional ones may be absent or `null`.
//! Strict only where the app's logic depends on a field (a setting's `name` and `enabled`).

pub mod alerts;
mod common;
pub mod connectors;
pub mod graph;
pub mod machines;
pub mod permissions;
pub mod pricings;
pub mod providers;
pub mod run_command;
pub mod settings;
pub mod subscriptions;
pub mod tags;
pub mod tenants;

pub use common::{ArmError, ArmErrorBody, Page};
