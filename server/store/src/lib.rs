//! What forge-ls keeps on disk besides the user's files: the builder's drafts and memory in a
//! per-workspace SQLite file, and Boternity's own `boternity.db` (read, plus the one write
//! Boternity's admin path makes), with the soul-version ledger computed from it.

pub mod boternity_db;
pub mod drafts;
pub mod soul_versions;
pub mod time;
