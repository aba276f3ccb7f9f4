//! The builder: question flow and session state (see ARCHITECTURE.md).
