//! Helpers shared by integration tests. Each test crate that wants one declares
//! `mod common;` and uses the submodule it needs.

#![allow(dead_code)]

pub(crate) mod alloc;
