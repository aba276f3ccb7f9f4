//! The synthetic workspaces shared by the benchmarks and tests (`#[path]`-included).

#![allow(dead_code)] // Each includer uses a different subset.

use std::path::Path;

/// Write a synthetic workspace of `skills` skills (every tenth referencing two
/// earlier ones) and `bots` bots attaching three skills each; returns the
/// number of files.
pub fn generate(root: &Path, skills: usize, bots: usize) -> std::io::Result<usize> {
    let mut files = 0;
    for i in 0..skills {
        let dir = root.join("skills").join(format!("skill-{i}"));
        std::fs::create_dir_all(&dir)?;
        let mut meta = format!(
            "  author: bench\n  version: \"1.{}.0\"\n  skill-type: prompt\n  trust-tier: local\n  capabilities: [http_get]\n",
            i % 7
        );
        // Every tenth skill references two earlier ones (no cycles, depth ≤ 3 mostly).
        if i % 10 == 9 && i >= 2 {
            meta.push_str(&format!(
                "  dependencies: [\"skill-{}@^1.0\"]\n  parents: [skill-{}]\n",
                i - 1,
                i - 2
            ));
        }
        let text = format!(
            "---\nname: skill-{i}\ndescription: Synthetic skill number {i} for the index benchmark\nmetadata:\n{meta}---\n\n# Skill {i}\n\nDo step {i} carefully and report the result.\n"
        );
        std::fs::write(dir.join("SKILL.md"), text)?;
        files += 1;
    }
    for b in 0..bots {
        let dir = root.join("bots").join(format!("bot-{b}"));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join("IDENTITY.md"),
            format!("---\ndisplay_name: Bot {b}\ncategory: utility\nmodel: claude-sonnet-4-20250514\n---\n\n# Bot {b}\n"),
        )?;
        std::fs::write(
            dir.join("SOUL.md"),
            format!("---\nname: Bot {b}\ntone: calm\n---\n\n# Personality\n\nCalm.\n\n# Purpose\n\nHelp.\n\n# Boundaries\n\nNone.\n"),
        )?;
        let mut toml = String::new();
        for k in 0..3 {
            let s = (b * 3 + k) % skills;
            toml.push_str(&format!(
                "[skills.skill-{s}]\nskill_name = \"skill-{s}\"\nenabled = true\ntrust_tier = \"local\"\n\n"
            ));
        }
        std::fs::write(dir.join("skills.toml"), toml)?;
        files += 3;
    }
    Ok(files)
}

/// Write `skills` skills valid under the Agent Skills specification (string
/// metadata, a body with sections, a relative link and its target): the set
/// every peer checker reads, so that none of them stops at a parse error.
pub fn generate_agentskills(root: &Path, skills: usize) -> std::io::Result<usize> {
    for i in 0..skills {
        let dir = root.join(format!("skill-{i}"));
        std::fs::create_dir_all(dir.join("references"))?;
        std::fs::write(
            dir.join("references/guide.md"),
            format!("# Guide {i}\n\nDetails.\n"),
        )?;
        let text = format!(
            "---\nname: skill-{i}\ndescription: Synthetic skill number {i}. Use it when the benchmark asks for step {i}.\nlicense: Apache-2.0\nmetadata:\n  author: bench\n  version: \"1.{}.0\"\n---\n\n# Skill {i}\n\n## When to use\n\nWhen step {i} is due; see [the guide](references/guide.md).\n\n## Steps\n\n1. Read the input.\n2. Do step {i} carefully.\n3. Report the result.\n",
            i % 7
        );
        std::fs::write(dir.join("SKILL.md"), text)?;
    }
    Ok(skills)
}
