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

/// A Boternity workflow of `lines` lines or a little more: steps of nine lines each (an `agent` step
/// asking one of `bots` bots `bot-<n>`, or a `skill` step running `skill-<n>`), each depending on the
/// one before and reading its output in a template and a JEXL condition.
#[allow(dead_code)]
pub fn workflow(lines: usize, bots: usize) -> String {
    let mut s = String::from(
        "id: \"01938e90-0000-7000-8000-000000000001\"\nname: big-flow\nversion: \"1.0\"\nowner:\n  type: global\ntriggers:\n  - type: cron\n    schedule: \"0 9 * * *\"\n  - type: manual\nsteps:\n",
    );
    let steps = lines.div_ceil(9);
    for i in 0..steps {
        s.push_str(&format!("  - id: step-{i}\n    name: Step {i}\n"));
        if i % 2 == 0 {
            s.push_str(&format!(
                "    type: agent\n    config:\n      type: agent\n      bot: bot-{}\n",
                i % bots.max(1)
            ));
            s.push_str(&format!(
                "      prompt: \"Summarise {{{{ steps.step-{}.output }}}} for the team\"\n",
                i.saturating_sub(1)
            ));
        } else {
            s.push_str(&format!(
                "    type: skill\n    config:\n      type: skill\n      skill: skill-{i}\n      input: \"{{{{ steps.step-{}.output }}}}\"\n",
                i - 1
            ));
        }
        if i > 0 {
            s.push_str(&format!(
                "    depends_on: [step-{}]\n    condition: \"steps['step-{}'].output|length > 0\"\n",
                i - 1,
                i - 1
            ));
        } else {
            s.push_str("    timeout_secs: 120\n    condition: \"trigger.ok == true\"\n");
        }
    }
    s
}
