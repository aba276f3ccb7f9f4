//! The `forge-ls` binary's library: the LSP adapter (`lsp`, the only crate that sees LSP types)
//! and the `check` and `preview` command lines. Everything it serves is computed by the crates beside it; see
//! ARCHITECTURE.md at the repository root.

pub mod acp;
pub mod check;
pub mod ci;
pub mod lsp;
pub mod preview;
