//! Builder drafts persisted per workspace in SQLite.
