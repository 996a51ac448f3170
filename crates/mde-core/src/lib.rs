//! The pure core of MDE Console: everything that is not the browser.
//!
//! Clouds and config, the Entra ID protocol, ARM models and requests, a client over any
//! [`transport::Transport`], and the domain rules (integration status, readiness, plans).
//! It compiles and tests natively, with no browser types.

// ARM's refusals carry ARM's words (details, additionalInfo, request ids); they are rare and
// built once per failed call, so their size in `Err` costs nothing that matters.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod arm;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod change;
pub mod client;
pub mod cloud;
pub mod config;
pub mod connectors;
pub mod coverage;
pub mod deployment;
pub mod error;
pub mod lro;
pub mod origin;
pub mod overview;
pub mod portal;
pub mod quote;
pub mod registration;
pub mod roles;
pub mod run;
pub mod signed_in;
pub mod status;
pub mod tenancy;
pub mod time;
pub mod transport;
pub mod verify;
