//! The builder's turn sources behind one seam: [`Offline`] (the question flow of [`crate`])
//! and [`Model`] (an LLM asked for a BuilderTurn, formats §7.4–§7.6), plus skill drafting by the
//! model (§7.9, [`skill`]).
//!
//! Both sources are functions from a session and an answer to the next session; neither touches
//! the drafts database, so the caller saves the result only when the whole step succeeded and a
//! failure leaves the stored draft as it was.

pub mod schema;
pub mod skill;
pub mod turns;

use futures::future::BoxFuture;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::{Answer, BotTexts, BuilderContext, BuilderError, Mode, Session};
use forge_llm::{AttemptInfo, LlmClient, LlmError, StructuredRequest};

/// What a turn may look at besides the session.
#[derive(Debug, Clone, Default)]
pub struct AgentContext {
    /// Workspace skills, recalled builder memory, clock.
    pub builder: BuilderContext,
    /// Problems forge-ls finds in the files of the bot being reconfigured, one line each.
    pub diagnostics: Vec<String>,
    /// A chat's conversation so far ([`crate::chat::history`]), sent before the user's message;
    /// empty for the wizard, whose exchanges the system prompt carries.
    pub history: Vec<forge_llm::Message>,
}

/// A step's result: the session to save and, when the model's reply could not be used, a warning
/// for the user.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub session: Session,
    pub warning: Option<String>,
}

impl Outcome {
    fn plain(session: Session) -> Outcome {
        Outcome {
            session,
            warning: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The answer does not fit the pending turn (the caller's mistake).
    #[error("{0}")]
    Answer(#[from] BuilderError),
    /// The model could not be asked (timeout, HTTP errors, missing key, cancelled).
    #[error("{0}; the draft is unchanged: try again, or set forge.llm.provider to \"none\" to continue offline")]
    Model(LlmError),
}

pub type AgentFuture<'a> = BoxFuture<'a, Result<Outcome, AgentError>>;

/// Where the builder's turns come from.
pub trait TurnSource: Send + Sync {
    /// The first turn of `fresh`, a session the offline engine has just started (or loaded from a
    /// bot for reconfigure).
    fn first_turn<'a>(
        &'a self,
        fresh: &'a Session,
        ctx: &'a AgentContext,
        cancel: &'a CancellationToken,
    ) -> AgentFuture<'a>;

    /// The session after the user's `answer` to its pending turn.
    fn answer<'a>(
        &'a self,
        session: &'a Session,
        answer: Answer,
        ctx: &'a AgentContext,
        cancel: &'a CancellationToken,
    ) -> AgentFuture<'a>;

    /// The session after a chat message in the user's own words to a model-driven turn (the
    /// model may read several answers from it).
    fn say<'a>(
        &'a self,
        session: &'a Session,
        text: String,
        ctx: &'a AgentContext,
        cancel: &'a CancellationToken,
    ) -> AgentFuture<'a>;
}

/// The offline question flow.
pub struct Offline;

impl TurnSource for Offline {
    fn first_turn<'a>(
        &'a self,
        fresh: &'a Session,
        _: &'a AgentContext,
        _: &'a CancellationToken,
    ) -> AgentFuture<'a> {
        Box::pin(async move { Ok(Outcome::plain(fresh.clone())) })
    }

    fn answer<'a>(
        &'a self,
        session: &'a Session,
        answer: Answer,
        ctx: &'a AgentContext,
        _: &'a CancellationToken,
    ) -> AgentFuture<'a> {
        // A session the model was driving (the provider was switched off since) continues with
        // the offline flow's next question.
        Box::pin(async move {
            Ok(Outcome::plain(
                turns::record(session, &answer, &ctx.builder)?.fallback,
            ))
        })
    }

    fn say<'a>(
        &'a self,
        session: &'a Session,
        text: String,
        ctx: &'a AgentContext,
        _: &'a CancellationToken,
    ) -> AgentFuture<'a> {
        Box::pin(async move {
            let r = turns::record_message(session, &text, &ctx.builder)?;
            Ok(Outcome::plain(r.fallback))
        })
    }
}

/// Called before every HTTP attempt, for `$/progress`.
pub type Progress = Box<dyn Fn(&AttemptInfo) + Send + Sync>;

/// The LLM builder agent. Bot sessions get their turns from the model; skill sessions keep the
/// offline questions (name, type, capabilities) and the model writes their SKILL.md in
/// `forge.skill.create`.
pub struct Model {
    pub client: Box<dyn LlmClient>,
    pub progress: Progress,
}

/// A reply the caller's check refused, with the reason sent back to the model and, when the reply
/// was usable despite the problem, the candidate.
#[derive(Debug)]
pub struct Rejection<T> {
    pub problem: String,
    /// Boxed: a rejected candidate is rare and can be large (a whole turn).
    pub candidate: Option<Box<T>>,
}

impl Model {
    /// Asks `req`, checks the reply with `accept`, and on a reply that is not JSON, not the
    /// schema or refused by `accept`, asks once more with the problem (the one repair round).
    /// `Ok(Err(_))`: still unusable after the repair.
    pub async fn ask_with_repair<T>(
        &self,
        req: &StructuredRequest,
        cancel: &CancellationToken,
        accept: impl Fn(Value) -> Result<T, Rejection<T>>,
    ) -> Result<Result<T, Rejection<T>>, LlmError> {
        let mut req = req.clone();
        let mut last = None;
        for round in 0..2 {
            let reply = self
                .client
                .complete_structured_with_progress(&req, cancel, &*self.progress)
                .await;
            let (raw, rejection) = match reply {
                Ok(v) => {
                    let raw = v.to_string();
                    match accept(v) {
                        Ok(t) => return Ok(Ok(t)),
                        Err(r) => (raw, r),
                    }
                }
                Err(LlmError::InvalidReply { reason, excerpt }) => (
                    excerpt,
                    Rejection {
                        problem: reason,
                        candidate: None,
                    },
                ),
                Err(e) => return Err(e),
            };
            tracing::warn!(
                "unusable model reply (round {}): {}",
                round + 1,
                rejection.problem
            );
            req = req.repair(&raw, &rejection.problem);
            last = Some(rejection);
        }
        Ok(Err(last.unwrap_or(Rejection {
            problem: "no reply".into(),
            candidate: None,
        })))
    }

    async fn turn(
        &self,
        base: &Session,
        fallback: &Session,
        message: &str,
        ctx: &AgentContext,
        cancel: &CancellationToken,
    ) -> Result<Outcome, AgentError> {
        let req = turns::request(base, ctx, message);
        let reply = self
            .ask_with_repair(&req, cancel, |v| {
                turns::accept(v, base).map_err(|problem| Rejection {
                    problem,
                    candidate: None,
                })
            })
            .await
            .map_err(AgentError::Model)?;
        Ok(match reply {
            Ok(turn) => Outcome::plain(turns::apply(base, turn)),
            Err(r) => Outcome {
                session: fallback.clone(),
                warning: Some(format!(
                    "The model ({}) did not produce a usable builder turn, even after a repair request ({}). \
                     forge-ls asks its own next question instead; your answers are kept.",
                    self.client.model(),
                    r.problem
                )),
            },
        })
    }
}

impl Model {
    /// The turn after the user's recorded answer: the model's, unless the offline flow has
    /// finished or the session is not a bot's.
    async fn next(
        &self,
        session: &Session,
        r: turns::Recorded,
        ctx: &AgentContext,
        cancel: &CancellationToken,
    ) -> Result<Outcome, AgentError> {
        if !r.ask_model || session.mode != Mode::Bot {
            return Ok(Outcome::plain(r.fallback));
        }
        self.turn(&r.session, &r.fallback, &r.message, ctx, cancel)
            .await
    }
}

impl TurnSource for Model {
    fn first_turn<'a>(
        &'a self,
        fresh: &'a Session,
        ctx: &'a AgentContext,
        cancel: &'a CancellationToken,
    ) -> AgentFuture<'a> {
        Box::pin(async move {
            // An empty description gets the offline `clarify` turn: there is nothing to ask about yet
            // (a reconfigured bot has its configuration to talk about).
            if fresh.mode != Mode::Bot || (fresh.description.is_empty() && fresh.origin.is_none()) {
                return Ok(Outcome::plain(fresh.clone()));
            }
            let message = turns::start_message(fresh);
            self.turn(fresh, fresh, &message, ctx, cancel).await
        })
    }

    fn answer<'a>(
        &'a self,
        session: &'a Session,
        answer: Answer,
        ctx: &'a AgentContext,
        cancel: &'a CancellationToken,
    ) -> AgentFuture<'a> {
        Box::pin(async move {
            let r = turns::record(session, &answer, &ctx.builder)?;
            self.next(session, r, ctx, cancel).await
        })
    }

    fn say<'a>(
        &'a self,
        session: &'a Session,
        text: String,
        ctx: &'a AgentContext,
        cancel: &'a CancellationToken,
    ) -> AgentFuture<'a> {
        Box::pin(async move {
            let r = turns::record_message(session, &text, &ctx.builder)?;
            self.next(session, r, ctx, cancel).await
        })
    }
}

/// The problems forge-ls finds in a bot's files (errors and warnings), one line each, for the
/// prompt of a reconfigure session and the check of a configuration the model proposes.
pub fn bot_problems(
    folder: &std::path::Path,
    texts: &BotTexts,
    profile: forge_analysis::rules::Profile,
) -> Vec<String> {
    use forge_analysis::{analyze, FileKind};
    use forge_syntax::diagnostic::Severity;
    let files = [
        ("IDENTITY.md", &texts.identity),
        ("SOUL.md", &texts.soul),
        ("USER.md", &texts.user),
        ("skills.toml", &texts.skills_toml),
    ];
    let mut out = Vec::new();
    for (name, text) in files {
        let path = folder.join(name);
        let (Some(text), Some(kind)) = (text, FileKind::from_path(&path)) else {
            continue;
        };
        for d in analyze(kind, &path, text, profile).diagnostics {
            if matches!(d.severity, Severity::Error | Severity::Warning) {
                out.push(format!(
                    "{name} line {}: {}",
                    line_of(text, d.range.start),
                    d.message
                ));
            }
        }
    }
    out
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
