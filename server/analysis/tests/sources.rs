//! `docs/sources.md` is generated from the tables: every diagnostic code, field, value, model and
//! dialect signal with the source it comes from and when that was checked. This test fails when
//! the file is stale or an entry's source is not a link with a date; `FORGE_BLESS=1` rewrites it.

use std::fmt::Write;
use std::path::PathBuf;

use forge_analysis::{dialect, schema, workflow_schema};
use forge_syntax::codes;
use forge_syntax::sources::{self, Source};

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/sources.md")
}

/// A table cell: the source's link and the day it was checked.
fn cell(s: &Source) -> String {
    format!("{} | {}", s.markdown(), s.verified)
}

thread_local! {
    /// The sources the tables name, to find one that no fact uses.
    static USED: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn check(what: &str, s: &'static Source) {
    USED.with(|u| u.borrow_mut().push(s.cite));
    let known = sources::ALL.iter().any(|(_, k)| std::ptr::eq(*k, s));
    assert!(known, "{what}: its source is not one of `sources::ALL`");
    assert!(
        s.cite == "forge-ls" || s.url().is_some(),
        "{what}: `{}` is neither a link nor forge-ls",
        s.cite
    );
    assert!(!s.verified.is_empty(), "{what}: no date");
}

fn generate() -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Sources of forge-ls's facts\n");
    let _ = writeln!(
        w,
        "Generated from the tables by `server/analysis/tests/sources.rs` (`FORGE_BLESS=1 cargo test -p forge-analysis --test sources` rewrites it); do not edit. Every diagnostic code, field, value, model and dialect signal names where it comes from: a file of an upstream project at a commit, a documentation page, or `forge-ls` for a rule that is our own policy. Hover on a key or value in the editor shows the same link.\n"
    );
    let _ = writeln!(w, "## The sources\n");
    let _ = writeln!(
        w,
        "| name | source | checked | how |\n| --- | --- | --- | --- |"
    );
    for (name, s) in sources::ALL {
        let _ = writeln!(w, "| `{name}` | {} | {} |", cell(s), s.how);
    }

    let _ = writeln!(w, "\n## Diagnostic codes\n");
    let _ = writeln!(w, "| code | source | checked |\n| --- | --- | --- |");
    for c in codes::ALL {
        check(c.id, c.source);
        let _ = writeln!(
            w,
            "| [`{}`](diagnostics.md#{}) | {} |",
            c.id,
            c.id,
            cell(c.source)
        );
    }

    let _ = writeln!(w, "\n## Fields\n");
    let _ = writeln!(
        w,
        "| file | key | source | checked |\n| --- | --- | --- | --- |"
    );
    for (table, fields) in schema::FIELD_TABLES {
        for f in *fields {
            check(&format!("{table} {}", f.key), f.source);
            let _ = writeln!(w, "| {table} | `{}` | {} |", f.key, cell(f.source));
        }
    }

    let _ = writeln!(w, "\n## Boternity workflows\n");
    let _ = writeln!(
        w,
        "| mapping | key or type | source | checked |\n| --- | --- | --- | --- |"
    );
    for (table, keys) in workflow_schema::KEY_TABLES {
        for k in *keys {
            check(&format!("workflow {table} {}", k.key), k.source);
            let _ = writeln!(w, "| {table} | `{}` | {} |", k.key, cell(k.source));
        }
    }
    for (table, shapes) in workflow_schema::SHAPE_TABLES {
        for s in *shapes {
            check(&format!("workflow {table} {}", s.name), s.source);
            let _ = writeln!(w, "| {table} | `{}` | {} |", s.name, cell(s.source));
            for k in s.keys {
                check(&format!("workflow {table} {} {}", s.name, k.key), k.source);
                let _ = writeln!(
                    w,
                    "| {table} `{}` | `{}` | {} |",
                    s.name,
                    k.key,
                    cell(k.source)
                );
            }
        }
    }

    let _ = writeln!(w, "\n## Values\n");
    let _ = writeln!(
        w,
        "| table | value | source | checked |\n| --- | --- | --- | --- |"
    );
    for (table, values) in schema::VALUE_TABLES {
        for v in *values {
            check(&format!("{table} {}", v.name), v.source);
            let _ = writeln!(w, "| {table} | `{}` | {} |", v.name, cell(v.source));
        }
    }

    let _ = writeln!(w, "\n## Other facts\n");
    let _ = writeln!(
        w,
        "| facts | entries | source | checked |\n| --- | --- | --- | --- |"
    );
    for (what, entries, s) in schema::other_facts() {
        check(what, s);
        let _ = writeln!(w, "| {what} | {} | {} |", entries.join(", "), cell(s));
    }

    let _ = writeln!(w, "\n## Models known offline\n");
    let _ = writeln!(
        w,
        "With `forge.llm.provider` set, the provider's own list replaces these ([interface](interface.md#settings)). Entries sourced to Boternity are what Boternity itself offers; the others are the providers' current ids.\n"
    );
    let _ = writeln!(
        w,
        "| provider | model | source | checked |\n| --- | --- | --- | --- |"
    );
    for m in schema::MODELS {
        check(m.id, m.source);
        let _ = writeln!(w, "| {} | `{}` | {} |", m.provider, m.id, cell(m.source));
    }

    let _ = writeln!(w, "\n## Dialect detection\n");
    let _ = writeln!(
        w,
        "| signal | dialect | source | checked |\n| --- | --- | --- | --- |"
    );
    for (why, d, s) in dialect::skill_signals() {
        check(why, s);
        let _ = writeln!(w, "| {why} | {} | {} |", d.label(), cell(s));
    }
    for (what, words, s) in dialect::WORD_LISTS {
        check(what, s);
        let words = words
            .iter()
            .map(|w| format!("`{w}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(w, "| {what}: {words} | | {} |", cell(s));
    }
    out
}

#[test]
fn docs_sources_md_is_generated_from_the_tables() {
    let want = generate();
    let used = USED.with(|u| u.borrow().clone());
    for (name, s) in sources::ALL {
        assert!(used.contains(&s.cite), "no fact names the source {name}");
    }
    let path = doc_path();
    if std::env::var_os("FORGE_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write docs/sources.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/sources.md is stale: run `FORGE_BLESS=1 cargo test -p forge-analysis --test sources`"
    );
}
