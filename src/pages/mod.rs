//! One file a page.

pub mod audit;
pub mod bulk;
pub mod demo;
pub mod home;
pub mod machine;
pub mod machines;
pub mod overview;
pub mod subscription;
pub mod tenant;
