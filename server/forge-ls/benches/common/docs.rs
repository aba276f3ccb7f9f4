//! Generated documents shared by the benchmarks (`#[path]`-included).

#![allow(dead_code)] // Each bench uses a different subset.

/// A SKILL.md named `name` with every frontmatter field and a body of about `size` bytes.
pub fn skill(name: &str, size: usize) -> String {
    let mut s = format!(
        "---
name: {name}
description: Searches the web and summarises what it finds, with sources. Use when the user asks about recent events.
license: Apache-2.0
compatibility: Needs network access (http_get) and a Boternity runtime ≥ 0.4.
allowed-tools: Bash(curl:*) Read Write
metadata:
  author: forge 😀
  version: 1.0
  skill-type: tool
  trust-tier: local
  capabilities: [http_get, http-post, read_file, recall_memory]
  dependencies: [\"fetch-page@^1.2\", \"summarise@>=0.3, <1\"]
  conflicts-with: [old-research]
  parents: [base-tool]
  secrets: [SEARCH_API_KEY]
  categories: [research, web]
---
",
    );
    body(&mut s, size);
    s
}

pub fn body(s: &mut String, size: usize) {
    let mut i = 0;
    while s.len() < size {
        s.push_str(&format!(
            "## Step {i}: gather 日本 sources\n\n\
             Use [the search API](https://example.com/search?q={i}) and *read* each result.\n\n\
             - fetch the page with `http_get`\n\
             - keep the title, the date and the link\n  - nested: skip paywalls 😀\n\
             1. rank by relevance\n2. summarise in three bullets\n\n\
             <!-- TODO: describe step {i} in more detail -->\n\n\
             > Quote the source when unsure.\n\n"
        ));
        i += 1;
    }
}
