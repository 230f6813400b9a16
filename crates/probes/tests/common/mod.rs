//! The fixtures live in the workspace's `testkit` crate, shared with `inception`'s tests.

#![allow(unused_imports)] // each test binary uses a different subset

pub use testkit::*;
