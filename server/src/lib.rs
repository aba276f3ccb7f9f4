//! forge-ls: a language server for Boternity bots and Agent Skills.
//!
//! See ARCHITECTURE.md at the repository root for a map of the modules.

pub mod builder;
pub mod drafts;
pub mod llm;
