//! forge-ls: a language server for Boternity bots and Agent Skills.
//!
//! See ARCHITECTURE.md at the repository root for a map of the modules.

pub mod agent;
pub mod agent_schema;
pub mod analysis;
pub mod boternity_db;
pub mod builder;
pub mod builder_service;
pub mod check;
pub mod codes;
pub mod diagnostic;
pub mod dialect;
pub mod document;
pub mod drafts;
pub mod files;
pub mod frontmatter;
pub mod llm;
pub mod lsp;
pub mod markdown;
pub mod rules;
pub mod schema;
pub mod settings;
pub mod soul_versions;
pub mod text;
pub mod workspace;
pub mod yaml;
