//! Boternity workflow files: every key of every mapping, its shape, whether it is required and what
//! it means, the step types and triggers with their own keys, and the enumerations. Validation,
//! completion and hover all read these tables.
//!
//! Facts are from Boternity at commit b9c08e1 (`mondalsuman/boternity`): the serde types in
//! `crates/boternity-types/src/workflow.rs` (what the parser requires: no key is `deny_unknown_fields`,
//! so unknown keys are ignored), the checks in `crates/boternity-core/src/workflow/definition.rs`
//! (`validate_definition`), `trigger.rs` (`validate_trigger_config`), `scheduler.rs`
//! (`normalize_schedule`), `context.rs` (templates) and `expression.rs` (JEXL).

use forge_syntax::sources::{self, Source};

/// Where the types are declared.
pub static TYPES: &Source = &sources::BOTERNITY_WORKFLOW_TYPES;
/// Where parsing, validation and discovery are.
pub static DEFINITION: &Source = &sources::BOTERNITY_WORKFLOW_DEFINITION;
/// Where trigger registration checks its configuration.
pub static TRIGGER: &Source = &sources::BOTERNITY_WORKFLOW_TRIGGER;
/// Where cron schedules are normalised before the scheduler (croner 3) parses them.
pub static SCHEDULER: &Source = &sources::BOTERNITY_WORKFLOW_SCHEDULER;
/// Where `{{ }}` templates are resolved and the expression context is built.
pub static CONTEXT: &Source = &sources::BOTERNITY_WORKFLOW_CONTEXT;
/// Where JEXL expressions are evaluated (`jexl-eval` 0.4).
pub static EXPRESSION: &Source = &sources::BOTERNITY_WORKFLOW_EXPRESSION;

/// The shape a value must have.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// Any scalar, read as text.
    String,
    /// Text in which `{{ steps.<id>.output }}`, `{{ trigger.<field> }}` and
    /// `{{ variables.<name> }}` are replaced when the step runs.
    Template,
    /// A JEXL expression.
    Expression,
    /// A non-negative integer (`u32`/`u64`).
    Uint,
    Number,
    Bool,
    /// A UUID.
    Uuid,
    /// A cron expression or one of Boternity's schedule phrases.
    Cron,
    StringList,
    /// A list of step ids of this workflow.
    StepRefs,
    /// A mapping of strings to template strings.
    StringMap,
    /// Any YAML value (passed through as JSON).
    Any,
    /// One of these values.
    Enum(&'static [Choice]),
    /// A mapping with these keys.
    Keys(&'static [Key]),
    /// A mapping whose `type` picks one of these shapes.
    Tagged(&'static [Shape]),
    /// A list of such mappings.
    TaggedList(&'static [Shape]),
    /// The list of steps.
    Steps,
}

/// A documented enumeration value.
#[derive(Debug)]
pub struct Choice {
    pub name: &'static str,
    pub doc: &'static str,
}

/// One key of a mapping.
#[derive(Debug)]
pub struct Key {
    pub key: &'static str,
    pub ty: Ty,
    pub required: bool,
    pub doc: &'static str,
    /// Where Boternity declares it.
    pub source: &'static Source,
}

/// One variant of a mapping tagged by `type` (its keys besides `type`).
#[derive(Debug)]
pub struct Shape {
    pub name: &'static str,
    pub doc: &'static str,
    pub keys: &'static [Key],
    pub source: &'static Source,
}

impl Shape {
    pub fn key(&self, key: &str) -> Option<&'static Key> {
        self.keys.iter().find(|k| k.key == key)
    }
}

pub fn find(keys: &'static [Key], key: &str) -> Option<&'static Key> {
    keys.iter().find(|k| k.key == key)
}

pub fn shape(shapes: &'static [Shape], name: &str) -> Option<&'static Shape> {
    shapes.iter().find(|s| s.name == name)
}

macro_rules! key {
    ($key:literal, $ty:expr, $req:literal, $doc:literal) => {
        Key {
            key: $key,
            ty: $ty,
            required: $req,
            doc: $doc,
            source: TYPES,
        }
    };
    ($key:literal, $ty:expr, $req:literal, $doc:literal, $src:expr) => {
        Key {
            key: $key,
            ty: $ty,
            required: $req,
            doc: $doc,
            source: $src,
        }
    };
}

/// The top level of a workflow file (`WorkflowDefinition`).
pub static WORKFLOW_KEYS: &[Key] = &[
    key!("id", Ty::Uuid, true, "The workflow's UUID. Required by the parser; `bnity workflow create` keeps it."),
    key!("name", Ty::String, true, "The workflow's name: letters, digits and hyphens only (`validate_definition`). Triggers, `sub_workflow` steps and `bnity workflow trigger` find the workflow by it.", DEFINITION),
    key!("description", Ty::String, false, "A longer description."),
    key!("version", Ty::String, true, "A version string, e.g. `\"1.0.0\"`."),
    key!("owner", Ty::Tagged(OWNERS), true, "Who owns the workflow: `{type: global}` or `{type: bot, bot_id, slug}`. `bnity workflow create` replaces it (`--bot <slug>` or global), but the parser still requires it."),
    key!("concurrency", Ty::Uint, false, "At most this many runs at once (at least 1; none: unlimited).", DEFINITION),
    key!("timeout_secs", Ty::Uint, false, "Timeout of the whole workflow in seconds (more than 0).", DEFINITION),
    key!("triggers", Ty::TaggedList(TRIGGERS), false, "What starts the workflow: `manual`, `cron`, `webhook`, `event`, `file_watch`."),
    key!("steps", Ty::Steps, true, "The steps, at least one, forming a graph through `depends_on`.", DEFINITION),
    key!("metadata", Ty::Any, false, "Free-form metadata, kept as JSON."),
];

/// One step (`StepDefinition`).
pub static STEP_KEYS: &[Key] = &[
    key!("id", Ty::String, true, "The step's id, unique in the workflow. `depends_on`, branch lists and `{{ steps.<id>.output }}` refer to it.", DEFINITION),
    key!("name", Ty::String, true, "A human-readable name."),
    key!("type", Ty::Enum(STEP_TYPE_NAMES), true, "The kind of step. The step runs as `config.type`; keep both the same."),
    key!("depends_on", Ty::StepRefs, false, "Steps that must finish before this one (the graph's edges). A cycle stops the run.", DEFINITION),
    key!("condition", Ty::Expression, false, "A JEXL expression; the step is skipped when it is false. It sees `steps`, `trigger`, `variables` and `workflow`.", EXPRESSION),
    key!("timeout_secs", Ty::Uint, false, "Timeout of this step in seconds (default 300)."),
    key!("retry", Ty::Keys(RETRY_KEYS), false, "How a failed step is retried."),
    key!("config", Ty::Tagged(STEP_TYPES), true, "What the step does; `type` picks the step type and its keys."),
    key!("ui", Ty::Keys(UI_KEYS), false, "The visual builder's layout (position, group, collapsed)."),
];

/// `retry` (`RetryConfig`).
pub static RETRY_KEYS: &[Key] = &[
    key!(
        "max_attempts",
        Ty::Uint,
        false,
        "Attempts in all, the first included (default 3)."
    ),
    key!(
        "strategy",
        Ty::Enum(RETRY_STRATEGIES),
        true,
        "`simple` or `llm_self_correct`."
    ),
];

pub static RETRY_STRATEGIES: &[Choice] = &[
    Choice {
        name: "simple",
        doc: "Run the step again with the same input.",
    },
    Choice {
        name: "llm_self_correct",
        doc: "Feed the error back to the agent so it corrects itself.",
    },
];

/// `ui` (`StepUiMetadata`).
pub static UI_KEYS: &[Key] = &[
    key!(
        "position",
        Ty::Keys(POSITION_KEYS),
        false,
        "Where the node sits on the canvas."
    ),
    key!(
        "group",
        Ty::String,
        false,
        "The group node the step belongs to."
    ),
    key!(
        "collapsed",
        Ty::Bool,
        false,
        "Whether the node is collapsed in the visual builder."
    ),
];

pub static POSITION_KEYS: &[Key] = &[
    key!("x", Ty::Number, true, "Horizontal position."),
    key!("y", Ty::Number, true, "Vertical position."),
];

/// The step types (`StepType`), which are also the `config` variants (`StepConfig`).
pub static STEP_TYPES: &[Shape] = &[
    Shape { name: "agent", doc: "Ask a bot: its `prompt` (a template) with the bot's soul and skills.", source: TYPES, keys: &[
        key!("bot", Ty::String, true, "The slug of the bot that answers."),
        key!("prompt", Ty::Template, true, "What the bot is asked; `{{ steps.<id>.output }}` inserts an earlier step's output."),
        key!("model", Ty::String, false, "A model overriding the bot's own."),
    ] },
    Shape { name: "skill", doc: "Run an installed skill.", source: TYPES, keys: &[
        key!("skill", Ty::String, true, "The skill's name."),
        key!("input", Ty::Template, false, "The skill's input (a template)."),
    ] },
    Shape { name: "code", doc: "Run inline code (TypeScript or WASM).", source: TYPES, keys: &[
        key!("language", Ty::Enum(CODE_LANGUAGES), true, "`type_script` or `wasm`."),
        key!("source", Ty::String, true, "The code."),
    ] },
    Shape { name: "http", doc: "Make an HTTP request.", source: TYPES, keys: &[
        key!("method", Ty::String, true, "The HTTP method (`GET`, `POST`, ...)."),
        key!("url", Ty::Template, true, "The URL (a template)."),
        key!("headers", Ty::StringMap, false, "Request headers (values are templates)."),
        key!("body", Ty::Template, false, "The request body (a template)."),
    ] },
    Shape { name: "conditional", doc: "Choose a branch: `then_steps` when `condition` is true, else `else_steps`.", source: TYPES, keys: &[
        key!("condition", Ty::Expression, true, "A JEXL expression.", EXPRESSION),
        key!("then_steps", Ty::StepRefs, true, "Steps of the true branch.", DEFINITION),
        key!("else_steps", Ty::StepRefs, true, "Steps of the false branch (may be `[]`).", DEFINITION),
    ] },
    Shape { name: "loop", doc: "Repeat `body_steps` while `condition` is true.", source: TYPES, keys: &[
        key!("condition", Ty::Expression, true, "A JEXL expression, evaluated before each iteration.", EXPRESSION),
        key!("max_iterations", Ty::Uint, false, "A cap on the iterations."),
        key!("body_steps", Ty::StepRefs, true, "The steps of one iteration.", DEFINITION),
    ] },
    Shape { name: "approval", doc: "Pause until a person approves (`bnity workflow approve <run>`).", source: TYPES, keys: &[
        key!("prompt", Ty::Template, true, "What the approver is asked (a template)."),
        key!("timeout_secs", Ty::Uint, false, "How long to wait for the approval."),
    ] },
    Shape { name: "sub_workflow", doc: "Run another workflow by name.", source: TYPES, keys: &[
        key!("workflow_name", Ty::String, true, "The `name` of the workflow to run."),
        key!("input", Ty::Any, false, "Input passed to the workflow (any value)."),
    ] },
];

/// The step type names, for `type` beside `config`.
pub static STEP_TYPE_NAMES: &[Choice] = &[
    Choice {
        name: "agent",
        doc: "Ask a bot.",
    },
    Choice {
        name: "skill",
        doc: "Run an installed skill.",
    },
    Choice {
        name: "code",
        doc: "Run inline code.",
    },
    Choice {
        name: "http",
        doc: "Make an HTTP request.",
    },
    Choice {
        name: "conditional",
        doc: "Choose a branch.",
    },
    Choice {
        name: "loop",
        doc: "Repeat steps while a condition holds.",
    },
    Choice {
        name: "approval",
        doc: "Wait for a person's approval.",
    },
    Choice {
        name: "sub_workflow",
        doc: "Run another workflow.",
    },
];

/// `CodeLanguage`, snake_case as serde spells it.
pub static CODE_LANGUAGES: &[Choice] = &[
    Choice {
        name: "type_script",
        doc: "TypeScript (serde spells `TypeScript` as `type_script`).",
    },
    Choice {
        name: "wasm",
        doc: "A WebAssembly module.",
    },
];

/// `WorkflowOwner`.
pub static OWNERS: &[Shape] = &[
    Shape {
        name: "global",
        doc: "A workflow of no particular bot.",
        source: TYPES,
        keys: &[],
    },
    Shape {
        name: "bot",
        doc: "A workflow owned by one bot.",
        source: TYPES,
        keys: &[
            key!("bot_id", Ty::Uuid, true, "The bot's UUID."),
            key!("slug", Ty::String, true, "The bot's slug."),
        ],
    },
];

/// `TriggerConfig`.
pub static TRIGGERS: &[Shape] = &[
    Shape { name: "manual", doc: "Started by hand: `bnity workflow trigger <name>` or the API.", source: TYPES, keys: &[] },
    Shape { name: "cron", doc: "Started on a schedule.", source: TYPES, keys: &[
        key!("schedule", Ty::Cron, true, "A cron expression (5 fields, or 6 with seconds first) or a phrase: `every minute`, `hourly`, `daily`, `every N minutes`, `every day at HH:MM`.", SCHEDULER),
        key!("timezone", Ty::String, false, "A time zone, e.g. `America/New_York`."),
    ] },
    Shape { name: "webhook", doc: "Started by an HTTP request to `path`.", source: TYPES, keys: &[
        key!("path", Ty::String, true, "The endpoint path; starts with `/`.", TRIGGER),
        key!("auth", Ty::Tagged(WEBHOOK_AUTH), false, "How requests are authenticated."),
        key!("when", Ty::Expression, false, "A JEXL filter over the request (`event`, `trigger`).", EXPRESSION),
    ] },
    Shape { name: "event", doc: "Started by an event on Boternity's event bus.", source: TYPES, keys: &[
        key!("source", Ty::String, true, "The event source (not empty).", TRIGGER),
        key!("event_type", Ty::String, true, "The event type to match (not empty).", TRIGGER),
        key!("when", Ty::Expression, false, "A JEXL filter over the event.", EXPRESSION),
    ] },
    Shape { name: "file_watch", doc: "Started when files change.", source: TYPES, keys: &[
        key!("paths", Ty::StringList, true, "Paths to watch (at least one).", TRIGGER),
        key!("patterns", Ty::StringList, false, "Glob patterns that filter the changes."),
        key!("when", Ty::Expression, false, "A JEXL filter over the change.", EXPRESSION),
    ] },
];

/// `WebhookAuth`: both kinds name a secret.
pub static WEBHOOK_AUTH: &[Shape] = &[
    Shape {
        name: "hmac_sha256",
        doc: "Verify an HMAC-SHA256 signature of the body.",
        source: TYPES,
        keys: SECRET_KEYS,
    },
    Shape {
        name: "bearer_token",
        doc: "Verify a bearer token.",
        source: TYPES,
        keys: SECRET_KEYS,
    },
];

static SECRET_KEYS: &[Key] = &[key!(
    "secret_name",
    Ty::String,
    true,
    "The secret in the bot's secret store."
)];

/// The roots a `{{ }}` template can name (`WorkflowContext::resolve_template`).
pub static TEMPLATE_ROOTS: &[Choice] = &[
    Choice {
        name: "steps",
        doc: "`steps.<id>.output`: an earlier step's output.",
    },
    Choice {
        name: "trigger",
        doc: "`trigger.<field>`: a field of the trigger's payload.",
    },
    Choice {
        name: "variables",
        doc: "`variables.<name>`: a workflow variable.",
    },
];

/// The names a JEXL expression starts from (`to_expression_context`; a trigger's `when` sees
/// `trigger` and `event`, `TriggerContext::to_eval_context`).
pub static EXPRESSION_ROOTS: &[Choice] = &[
    Choice { name: "steps", doc: "`steps.<id>.output` (or `steps['<id>'].output`): the outputs of finished steps." },
    Choice { name: "trigger", doc: "The trigger's payload; in a `when` filter, the trigger's `type`, `source`, `fired_at`, `workflow_id`." },
    Choice { name: "variables", doc: "The workflow's variables." },
    Choice { name: "workflow", doc: "`workflow.name` and `workflow.run_id`." },
    Choice { name: "event", doc: "In a `when` filter: the event's payload." },
];

/// The transforms Boternity registers on its JEXL evaluator (`value|lower`, ...).
pub static TRANSFORMS: &[Choice] = &[
    Choice {
        name: "lower",
        doc: "Lower-case a string.",
    },
    Choice {
        name: "upper",
        doc: "Upper-case a string.",
    },
    Choice {
        name: "trim",
        doc: "Trim a string.",
    },
    Choice {
        name: "split",
        doc: "Split a string: `s|split(',')`.",
    },
    Choice {
        name: "not",
        doc: "Negate a value's truthiness.",
    },
    Choice {
        name: "contains",
        doc: "Whether a string contains another.",
    },
    Choice {
        name: "startsWith",
        doc: "Whether a string starts with another.",
    },
    Choice {
        name: "endsWith",
        doc: "Whether a string ends with another.",
    },
    Choice {
        name: "match",
        doc: "Substring match (not a regular expression).",
    },
    Choice {
        name: "length",
        doc: "Length of a string, list or mapping.",
    },
];

/// Every key table and tagged-mapping table, by what it describes (for `docs/sources.md`).
pub static KEY_TABLES: &[(&str, &[Key])] = &[
    ("workflow", WORKFLOW_KEYS),
    ("step", STEP_KEYS),
    ("retry", RETRY_KEYS),
    ("ui", UI_KEYS),
    ("ui position", POSITION_KEYS),
];
pub static SHAPE_TABLES: &[(&str, &[Shape])] = &[
    ("step type", STEP_TYPES),
    ("owner", OWNERS),
    ("trigger", TRIGGERS),
    ("webhook auth", WEBHOOK_AUTH),
];
