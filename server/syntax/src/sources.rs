//! Where each fact of forge-ls's tables comes from, and when and how it was last checked against
//! it. Every entry of the code table (`codes`), the field and value tables
//! (`forge_analysis::schema`, `agent_schema`), the dialect signals and the model table names one
//! of these; `docs/sources.md` is generated from them (a test keeps it current), and hover shows
//! the link. Many entries share one source: a source is a file or page, not a line.

/// One source of facts.
#[derive(Debug, PartialEq, Eq)]
pub struct Source {
    /// `owner/repo@commit:path`, a documentation URL, or `forge-ls` for our own policy.
    pub cite: &'static str,
    /// When it was last checked, `YYYY-MM-DD`.
    pub verified: &'static str,
    /// How it was checked.
    pub how: &'static str,
}

impl Source {
    /// A link to it: the file at its commit on GitHub, the page itself, or none for forge-ls's own
    /// policy.
    pub fn url(&self) -> Option<String> {
        if self.cite.starts_with("https://") {
            return Some(self.cite.to_owned());
        }
        let (repo, rest) = self.cite.split_once('@')?;
        let (commit, path) = rest.split_once(':')?;
        Some(format!("https://github.com/{repo}/blob/{commit}/{path}"))
    }

    /// `[cite](url)` in Markdown, or the cite alone.
    pub fn markdown(&self) -> String {
        match self.url() {
            Some(url) => format!("[{}]({url})", self.cite),
            None => self.cite.to_owned(),
        }
    }
}

const READ: &str = "read at this commit";
const TODAY: &str = "2026-12-07";

macro_rules! sources {
    ($($name:ident = $cite:literal, $verified:expr, $how:expr;)*) => {
        $(pub static $name: Source = Source { cite: $cite, verified: $verified, how: $how };)*
        /// Every source, for `docs/sources.md`.
        pub static ALL: &[(&str, &Source)] = &[$((stringify!($name), &$name)),*];
    };
}

sources! {
    FORGE_LS = "forge-ls", TODAY, "our own policy, not an upstream rule";
    // Boternity (mondalsuman/boternity at b9c08e1, the commit shared/spec/boternity-formats.md
    // is written from).
    BOTERNITY_IDENTITY = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-infra/src/filesystem/identity.rs", TODAY, READ;
    BOTERNITY_IDENTITY_TYPE = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-types/src/identity.rs", TODAY, READ;
    BOTERNITY_SOUL = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-infra/src/filesystem/soul.rs", TODAY, READ;
    BOTERNITY_SOUL_TYPE = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-types/src/soul.rs", TODAY, READ;
    BOTERNITY_SOUL_SERVICE = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/service/soul.rs", TODAY, READ;
    BOTERNITY_BOT = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-types/src/bot.rs", TODAY, READ;
    // Boternity workflows (the workflow rules, workflow_schema.rs).
    BOTERNITY_WORKFLOW_TYPES = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-types/src/workflow.rs", TODAY, READ;
    BOTERNITY_WORKFLOW_DEFINITION = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/workflow/definition.rs", TODAY, READ;
    BOTERNITY_WORKFLOW_TRIGGER = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/workflow/trigger.rs", TODAY, READ;
    BOTERNITY_WORKFLOW_SCHEDULER = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/workflow/scheduler.rs", TODAY, READ;
    BOTERNITY_WORKFLOW_CONTEXT = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/workflow/context.rs", TODAY, READ;
    BOTERNITY_WORKFLOW_EXPRESSION = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/workflow/expression.rs", TODAY, READ;
    BOTERNITY_WORKFLOW_STEP_RUNNER = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/workflow/step_runner.rs", TODAY, READ;
    BOTERNITY_SKILL = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-types/src/skill.rs", TODAY, READ;
    BOTERNITY_SKILL_MANIFEST = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/skill/manifest.rs", TODAY, READ;
    BOTERNITY_INHERITANCE = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/skill/inheritance.rs", TODAY, READ;
    BOTERNITY_RESOLVER = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/skill/resolver.rs", TODAY, READ;
    BOTERNITY_SKILL_STORE = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-infra/src/skill/skill_store.rs", TODAY, READ;
    BOTERNITY_PROVIDERS = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-api/src/cli/provider.rs", TODAY, READ;
    BOTERNITY_STATE = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-api/src/state.rs", TODAY, READ;
    BOTERNITY_ANTHROPIC = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-infra/src/llm/anthropic/client.rs", TODAY, READ;
    BOTERNITY_WEB_IDENTITY = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:apps/web/src/components/soul/identity-form.tsx", TODAY, READ;
    BOTERNITY_CONFIG = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-infra/src/config.rs", TODAY, READ;
    BOTERNITY_BUILDER_PROMPT = "mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-core/src/builder/prompt.rs", TODAY, READ;
    // The Agent Skills specification.
    AGENTSKILLS_SPEC = "agentskills/agentskills@69ef37e9424c0a7ea9dd2293b559e43ec8176379:docs/specification.mdx", TODAY, READ;
    // OpenClaw: the versions the search index holds (read there); the format reference
    // (shared/spec/openclaw-formats.md) cites earlier commits of the same files.
    OPENCLAW_SKILL_FRONTMATTER = "openclaw/openclaw@00d3a23797eb7483c54bd3ce8d95fad6bc861263:src/agents/skills/frontmatter.ts", TODAY, READ;
    OPENCLAW_IDENTITY = "openclaw/openclaw@09908298ecda6e1d36657fec1534a817c8d288c9:src/agents/identity-file.ts", TODAY, READ;
    OPENCLAW_BOOTSTRAP = "openclaw/openclaw@004e91311b556e48589a3beef31c6feb5737c4cc:src/agents/pi-embedded-helpers/bootstrap.ts", TODAY, "cited by docs/interface.md; the file's presence checked in the search index, not re-read";
    OPENCLAW_WORKSPACE = "https://docs.openclaw.ai/concepts/agent-workspace", TODAY, "the page's source (openclaw/openclaw docs/concepts/agent-workspace.md) found in the search index; facts as the format reference forge-ls was written from states them";
    OPENCLAW = "https://github.com/openclaw/openclaw", TODAY, "as the format reference forge-ls was written from states it (openclaw/openclaw@8f8492d1 and earlier), not re-read";
    CLAWHUB = "https://github.com/openclaw/clawhub", TODAY, "as the format reference forge-ls was written from states it (openclaw/clawhub@64db9c3f), not re-read";
    // Claude Code.
    CLAUDE_CODE_SKILLS = "https://code.claude.com/docs/en/skills#frontmatter-reference", TODAY, "the official page is not in the search store; its field list checked against guides that quote it";
    // Providers' model documentation.
    ANTHROPIC_MODELS = "https://platform.claude.com/docs/en/about-claude/models/overview", TODAY, "read in the search store";
    ANTHROPIC_OPUS_5_5 = "https://platform.claude.com/docs/en/models/opus-5-5/migration-guide", TODAY, "read in the search store";
    ANTHROPIC_MODEL_CARDS = "https://platform.claude.com/docs/resources/overview", TODAY, "read in the search store: it lists the model cards of these models; the ids are the ones forge-ls had, not shown on the page";
    OPENAI_MODEL_IDS = "https://hexdocs.pm/ex_openai/2.0.0-beta2/ExOpenAI.Components.ModelIdsShared.html", TODAY, "OpenAI's `ModelIdsShared` enum as generated from its OpenAPI description; read in the search store";
    ANTHROPIC_SONNET_5_5 = "https://platform.claude.com/docs/en/models/sonnet-5-5/overview", TODAY, "read in the search store (its Chinese edition)";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_links_and_is_dated() {
        for (name, s) in ALL {
            assert!(
                s.cite == "forge-ls" || s.url().is_some(),
                "{name}: {} is neither a URL nor repo@commit:path",
                s.cite
            );
            let d = s.verified.as_bytes();
            assert!(
                d.len() == 10 && d[4] == b'-' && d[7] == b'-',
                "{name}: {} is not a date",
                s.verified
            );
            assert!(!s.how.is_empty(), "{name} says not how it was checked");
        }
        assert_eq!(
            BOTERNITY_BOT.url().as_deref(),
            Some("https://github.com/mondalsuman/boternity/blob/b9c08e1db1dbbd9d9cdb291d0319c46f90918834/crates/boternity-types/src/bot.rs")
        );
        assert_eq!(FORGE_LS.url(), None);
    }
}
