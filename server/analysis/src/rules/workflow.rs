//! Boternity workflow files (`*.yaml`/`*.yml` with a workflow's keys): what Boternity's parser and
//! validator reject, read from the tables in `workflow_schema`, plus what it accepts but cannot do
//! (a dependency cycle, a template it leaves unresolved, an expression that does not parse). The
//! structure (name, steps, references, triggers) goes to the workspace index.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::workflow_schema::{self as ws, Key, Shape, Ty};
use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::yaml::{self, Kind, Node, Style};

/// Whether `text` is a Boternity workflow by its content: top-level `steps:` and `name:`, and one
/// of `version:`, `owner:` or `triggers:` (keys Boternity's parser reads and that other YAML
/// formats with `steps` do not have together: GitHub Actions keeps steps under `jobs`, Azure
/// Pipelines has `trigger`). Boternity's own discovery (`discover_workflows`,
/// `mondalsuman/boternity@b9c08e1:crates/boternity-core/src/workflow/definition.rs`) takes every
/// `.yaml`/`.yml` under a folder and silently skips what does not parse as a workflow; a line
/// check decides the same for a file that is one or is being written as one, without parsing every
/// YAML file of a project.
pub fn looks_like(text: &str) -> bool {
    let (mut steps, mut name, mut other) = (false, false, false);
    for line in text.lines() {
        let Some((key, _)) = line.split_once(':') else {
            continue;
        };
        match key.trim_end() {
            "steps" => steps = true,
            "name" => name = true,
            "version" | "owner" | "triggers" => other = true,
            _ => {}
        }
        if steps && name && other {
            return true;
        }
    }
    false
}

/// Whether `path` names a YAML file (the extensions Boternity's discovery reads).
pub fn is_yaml_path(path: &std::path::Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Who a step calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallKind {
    Bot,
    Skill,
    Workflow,
}

/// A bot, skill or workflow named by a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub kind: CallKind,
    pub name: String,
    /// The name's text (inside quotes).
    pub range: Range<usize>,
}

/// One step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub id: String,
    /// The id's text (inside quotes): what a rename replaces.
    pub id_range: Range<usize>,
    /// The whole list item.
    pub span: Range<usize>,
    pub name: Option<String>,
    /// `config.type`, else `type`.
    pub step_type: Option<String>,
    pub depends_on: Vec<String>,
}

/// A mention of a step id: a `depends_on` or branch list item, or `steps.<id>` in a template or
/// an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRef {
    pub id: String,
    pub range: Range<usize>,
}

/// One trigger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub kind: String,
    /// `cron 0 9 * * *`, `webhook /hooks/x`, ...
    pub summary: String,
    pub span: Range<usize>,
}

/// What a workflow declares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkflowInfo {
    pub name: Option<String>,
    pub name_range: Option<Range<usize>>,
    pub steps: Vec<Step>,
    pub refs: Vec<StepRef>,
    pub calls: Vec<Call>,
    pub triggers: Vec<Trigger>,
    /// The `triggers` key, when there is one.
    pub triggers_key: Option<Range<usize>>,
}

impl WorkflowInfo {
    /// `manual, cron 0 9 * * *` (or `no triggers`).
    pub fn trigger_summary(&self) -> String {
        if self.triggers.is_empty() {
            return "no triggers".to_string();
        }
        self.triggers
            .iter()
            .map(|t| t.summary.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Expressions longer than this are not parsed: `jexl-parser`'s lexer takes time quadratic in the
/// length (it finds each character from the start) and builds a tree as deep as the expression is
/// long; no real condition comes near it.
const MAX_EXPRESSION: usize = 2 * 1024;

/// A text field to check once every step is known: a template or an expression, in a step (by
/// index) or outside one (a trigger's `when`).
struct Deferred {
    node: Node,
    expression: bool,
    step: Option<usize>,
}

struct Ctx<'a> {
    text: &'a str,
    diags: &'a mut Vec<Diagnostic>,
    deferred: Vec<Deferred>,
    step: Option<usize>,
    /// Step-id list items, with the step they are in and whether they are `depends_on`'s.
    lists: Vec<(usize, StepRef, bool)>,
}

/// Check the workflow in `text`; its structure, when the text is a mapping.
pub fn check(text: &str, diags: &mut Vec<Diagnostic>) -> Option<WorkflowInfo> {
    let parsed = yaml::parse(text, 0);
    for e in &parsed.errors {
        let mut d = Diagnostic::new(e.code, e.range.clone(), e.message.clone());
        if e.code == &codes::YAML_SYNTAX {
            d.message = format!("{} Boternity cannot parse this workflow.", e.message);
        }
        diags.push(d);
    }
    let root = parsed.root?;
    if root.as_map().is_none() {
        diags.push(Diagnostic::new(
            &codes::FIELD_TYPE,
            root.span.clone(),
            format!(
                "A workflow is a mapping of `name`, `steps`, ...; this is {}.",
                root.kind().describe()
            ),
        ));
        return None;
    }
    let mut cx = Ctx {
        text,
        diags,
        deferred: Vec::new(),
        step: None,
        lists: Vec::new(),
    };
    let anchor = first_key(&root);
    check_keys(&mut cx, &root, ws::WORKFLOW_KEYS, &anchor, "the workflow");
    let mut info = WorkflowInfo::default();
    if let Some(e) = root.get("name") {
        if let Some(name) = e.value.as_str() {
            let range = content_range(text, &e.value);
            check_name(&mut cx, name, &range);
            info.name = Some(name.to_string());
            info.name_range = Some(range);
        }
    }
    for key in ["concurrency", "timeout_secs"] {
        if let Some(e) = root.get(key) {
            if e.value.as_str() == Some("0") && e.value.kind() == Kind::Int {
                let what = if key == "concurrency" {
                    "`concurrency` must be at least 1 (`validate_definition`); leave it out for no limit."
                } else {
                    "`timeout_secs` must be more than 0 (`validate_definition`); leave it out for the default."
                };
                cx.diags.push(Diagnostic::new(
                    &codes::WORKFLOW_VALUE_INVALID,
                    e.value.span.clone(),
                    what,
                ));
            }
        }
    }
    if let Some(e) = root.get("triggers") {
        info.triggers_key = Some(e.key.span.clone());
        for t in e.value.as_seq().unwrap_or(&[]) {
            if let Some(t) = trigger(&mut cx, t) {
                info.triggers.push(t);
            }
        }
    }
    if let Some(e) = root.get("steps") {
        if let Some(items) = e.value.as_seq() {
            if items.is_empty() {
                cx.diags.push(Diagnostic::new(
                    &codes::WORKFLOW_VALUE_INVALID,
                    e.value.span.clone(),
                    "A workflow must have at least one step (`validate_definition`).",
                ));
            }
            steps(&mut cx, items, &mut info);
        }
    }
    graph(&mut cx, &mut info);
    Some(info)
}

fn first_key(map: &Node) -> Range<usize> {
    map.as_map()
        .and_then(|m| m.first())
        .map(|e| e.key.span.clone())
        .unwrap_or(map.span.start..map.span.start)
}

/// The range of a scalar's content: inside the quotes when it is quoted.
pub fn content_range(text: &str, node: &Node) -> Range<usize> {
    crate::workspace::index::content_range(text, node)
}

fn check_name(cx: &mut Ctx, name: &str, range: &Range<usize>) {
    let message = if name.is_empty() {
        "The workflow name must not be empty (`validate_definition`).".to_string()
    } else if !name.chars().all(|c| c.is_alphanumeric() || c == '-') {
        format!("The workflow name `{name}` may hold only letters, digits and hyphens (`validate_definition`).")
    } else {
        return;
    };
    let mut d = Diagnostic::new(&codes::WORKFLOW_VALUE_INVALID, range.clone(), message);
    let fixed: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if !fixed.is_empty() {
        d = d.fix(format!("Change to `{fixed}`"), range.clone(), fixed);
    }
    cx.diags.push(d);
}

/// Check a mapping's keys against `keys` (plus `type` when `tag` is set): unknown keys, missing
/// required ones and each value's shape.
fn check_keys(cx: &mut Ctx, map: &Node, keys: &'static [Key], anchor: &Range<usize>, what: &str) {
    check_keys_tagged(cx, map, keys, anchor, what, false)
}

fn check_keys_tagged(
    cx: &mut Ctx,
    map: &Node,
    keys: &'static [Key],
    anchor: &Range<usize>,
    what: &str,
    tagged: bool,
) {
    let Some(entries) = map.as_map() else {
        return;
    };
    let mut present = HashSet::new();
    for e in entries {
        let Some(k) = e.key.as_str() else {
            continue;
        };
        present.insert(k);
        if tagged && k == "type" {
            continue;
        }
        match ws::find(keys, k) {
            Some(key) => check_value(cx, key, &e.value),
            None => unknown_key(cx, k, &e.key, keys, tagged, what),
        }
    }
    let missing: Vec<&str> = keys
        .iter()
        .filter(|k| k.required && !present.contains(k.key))
        .map(|k| k.key)
        .collect();
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        cx.diags.push(Diagnostic::new(
            &codes::WORKFLOW_FIELD_MISSING,
            anchor.clone(),
            format!(
                "{} needs {list}: Boternity's parser rejects the workflow without {}.",
                capitalise(what),
                if missing.len() == 1 { "it" } else { "them" }
            ),
        ));
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn unknown_key(cx: &mut Ctx, k: &str, key: &Node, keys: &'static [Key], tagged: bool, what: &str) {
    let names = keys.iter().map(|k| k.key).chain(tagged.then_some("type"));
    let close = crate::schema::suggest(names.clone(), k)
        .or_else(|| crate::workspace::rules::closest(names, k));
    let mut msg = format!("Boternity does not read `{k}` in {what} and ignores it.");
    if let Some(c) = close {
        msg.push_str(&format!(" Did you mean `{c}`?"));
    }
    let mut d = Diagnostic::new(&codes::UNKNOWN_KEY, key.span.clone(), msg);
    if let Some(c) = close {
        d = d.fix(format!("Rename to `{c}`"), key.span.clone(), c);
    }
    cx.diags.push(d);
}

fn type_error(cx: &mut Ctx, node: &Node, want: &str) {
    cx.diags.push(Diagnostic::new(
        &codes::FIELD_TYPE,
        node.span.clone(),
        format!(
            "Boternity expects {want} here, not {}; the workflow does not parse.",
            node.kind().describe()
        ),
    ));
}

fn check_value(cx: &mut Ctx, key: &'static Key, v: &Node) {
    // An optional key left empty is `None` to serde.
    if v.is_null() && !key.required {
        return;
    }
    match key.ty {
        Ty::String | Ty::Template | Ty::Expression | Ty::Uuid | Ty::Cron => {
            if v.as_scalar().is_none() || v.is_null() {
                return type_error(cx, v, "a string");
            }
            match key.ty {
                Ty::Template => cx.deferred.push(Deferred {
                    node: v.clone(),
                    expression: false,
                    step: cx.step,
                }),
                Ty::Expression => cx.deferred.push(Deferred {
                    node: v.clone(),
                    expression: true,
                    step: cx.step,
                }),
                Ty::Uuid => check_uuid(cx, v),
                Ty::Cron => check_cron(cx, v),
                _ => {}
            }
        }
        Ty::Uint => {
            let ok = v.kind() == Kind::Int && !v.as_str().is_some_and(|s| s.starts_with('-'));
            if !ok {
                type_error(cx, v, "a whole number of 0 or more");
            }
        }
        Ty::Number => {
            if !matches!(v.kind(), Kind::Int | Kind::Float) {
                type_error(cx, v, "a number");
            }
        }
        Ty::Bool => {
            if v.kind() != Kind::Bool {
                type_error(cx, v, "`true` or `false`");
            }
        }
        Ty::StringList | Ty::StepRefs => {
            let Some(items) = v.as_seq() else {
                return type_error(cx, v, "a list");
            };
            for item in items {
                if item.as_scalar().is_none() || item.is_null() {
                    type_error(cx, item, "a string");
                } else if matches!(key.ty, Ty::StepRefs) {
                    if let (Some(step), Some(id)) = (cx.step, item.as_str()) {
                        let range = content_range(cx.text, item);
                        cx.lists.push((
                            step,
                            StepRef {
                                id: id.to_string(),
                                range,
                            },
                            key.key == "depends_on",
                        ));
                    }
                }
            }
        }
        Ty::StringMap => {
            let Some(entries) = v.as_map() else {
                return type_error(cx, v, "a mapping of names to strings");
            };
            for e in entries {
                if e.value.as_scalar().is_none() || e.value.is_null() {
                    type_error(cx, &e.value, "a string");
                } else {
                    cx.deferred.push(Deferred {
                        node: e.value.clone(),
                        expression: false,
                        step: cx.step,
                    });
                }
            }
        }
        Ty::Any => {}
        Ty::Enum(choices) => {
            check_enum(cx, v, choices.iter().map(|c| c.name), key.key);
        }
        Ty::Keys(keys) => {
            if v.as_map().is_none() {
                return type_error(cx, v, "a mapping");
            }
            let anchor = first_key(v);
            check_keys(cx, v, keys, &anchor, &format!("`{}`", key.key));
        }
        Ty::Tagged(shapes) => {
            check_tagged(cx, v, shapes, key.key);
        }
        Ty::TaggedList(shapes) => {
            let Some(items) = v.as_seq() else {
                return type_error(cx, v, "a list");
            };
            for item in items {
                check_tagged(cx, item, shapes, key.key);
            }
        }
        // Walked by `steps`.
        Ty::Steps => {
            if v.as_seq().is_none() {
                type_error(cx, v, "a list of steps");
            }
        }
    }
}

fn check_enum<'s>(
    cx: &mut Ctx,
    v: &Node,
    names: impl Iterator<Item = &'s str> + Clone,
    key: &str,
) -> bool {
    let Some(got) = v.as_str().filter(|_| !v.is_null()) else {
        type_error(cx, v, "a string");
        return false;
    };
    if names.clone().any(|n| n == got) {
        return true;
    }
    let close = crate::schema::suggest(names.clone(), got)
        .or_else(|| crate::workspace::rules::closest(names.clone(), got));
    let list = names
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let range = content_range(cx.text, v);
    let mut d = Diagnostic::new(
        &codes::WORKFLOW_ENUM_INVALID,
        range.clone(),
        format!("`{got}` is not a `{key}` Boternity knows: one of {list}."),
    );
    if let Some(c) = close {
        d = d.fix(format!("Change to `{c}`"), range, c);
    }
    cx.diags.push(d);
    false
}

/// A mapping tagged by `type`: the shape it names, once checked.
fn check_tagged(
    cx: &mut Ctx,
    v: &Node,
    shapes: &'static [Shape],
    key: &str,
) -> Option<&'static Shape> {
    if v.as_map().is_none() {
        type_error(cx, v, "a mapping with a `type`");
        return None;
    }
    let anchor = first_key(v);
    let Some(t) = v.get("type") else {
        cx.diags.push(Diagnostic::new(
            &codes::WORKFLOW_FIELD_MISSING,
            anchor,
            format!(
                "This `{key}` needs a `type` (one of {}): Boternity's parser rejects the workflow without it.",
                shapes
                    .iter()
                    .map(|s| format!("`{}`", s.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        return None;
    };
    if !check_enum(
        cx,
        &t.value,
        shapes.iter().map(|s| s.name),
        &format!("{key}.type"),
    ) {
        return None;
    }
    let shape = ws::shape(shapes, t.value.as_str()?)?;
    check_keys_tagged(
        cx,
        v,
        shape.keys,
        &t.value.span,
        &format!("the `{}` {key}", shape.name),
        true,
    );
    Some(shape)
}

fn check_uuid(cx: &mut Ctx, v: &Node) {
    let s = v.as_str().unwrap_or("");
    if !is_uuid(s) {
        cx.diags.push(Diagnostic::new(
            &codes::WORKFLOW_VALUE_INVALID,
            content_range(cx.text, v),
            format!("`{s}` is not a UUID (like `01938e90-0000-7000-8000-000000000001`); the workflow does not parse."),
        ));
    }
}

/// The forms the `uuid` crate parses: hyphenated, simple, braced, `urn:uuid:`.
fn is_uuid(s: &str) -> bool {
    let s = s.strip_prefix("urn:uuid:").unwrap_or(s);
    let s = s
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(s);
    let hex = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit());
    if s.len() == 32 {
        return hex(s, 32);
    }
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && hex(parts[0], 8)
        && hex(parts[1], 4)
        && hex(parts[2], 4)
        && hex(parts[3], 4)
        && hex(parts[4], 12)
}

/// What Boternity's `normalize_schedule` makes of a schedule (`Err`: it rejects it).
pub fn normalize_schedule(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    let parts: Vec<&str> = trimmed.split_whitespace().collect();
    match parts.len() {
        5 => return Ok(format!("0 {trimmed}")),
        6 => return Ok(trimmed.to_string()),
        _ => {}
    }
    let lower = trimmed.to_lowercase();
    match lower.as_str() {
        "every minute" | "minutely" => return Ok("0 * * * * *".into()),
        "every hour" | "hourly" => return Ok("0 0 * * * *".into()),
        "every day" | "daily" => return Ok("0 0 0 * * *".into()),
        _ => {}
    }
    let bad = || {
        Err(format!(
            "`{trimmed}` is not a schedule Boternity understands"
        ))
    };
    let Some(rest) = lower.strip_prefix("every ") else {
        return bad();
    };
    if let Some(at) = rest.strip_prefix("day at ") {
        let t: Vec<&str> = at.split(':').collect();
        if let [h, m] = t[..] {
            if let (Ok(h), Ok(m)) = (h.trim().parse::<u32>(), m.trim().parse::<u32>()) {
                if h < 24 && m < 60 {
                    return Ok(format!("0 {m} {h} * * *"));
                }
            }
        }
        return bad();
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    if let [n, unit] = words[..] {
        let Ok(n) = n.parse::<u32>() else {
            return bad();
        };
        if n == 0 {
            return Err("the interval must be more than 0".into());
        }
        return match unit.trim_end_matches('s') {
            "second" => Ok(format!("*/{n} * * * * *")),
            "minute" => Ok(format!("0 */{n} * * * *")),
            "hour" => Ok(format!("0 0 */{n} * * *")),
            _ => bad(),
        };
    }
    bad()
}

/// A schedule as Boternity registers it: normalised, then parsed by croner 3 with seconds required
/// (`tokio-cron-scheduler` 0.15's `Job::new_async`).
pub fn parse_schedule(input: &str) -> Result<String, String> {
    let cron = normalize_schedule(input)?;
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(&cron)
        .map(|_| cron)
        .map_err(|e| e.to_string().trim_end_matches('.').to_string())
}

fn check_cron(cx: &mut Ctx, v: &Node) {
    let s = v.as_str().unwrap_or("");
    if let Err(why) = parse_schedule(s) {
        cx.diags.push(Diagnostic::new(
            &codes::WORKFLOW_CRON_INVALID,
            content_range(cx.text, v),
            format!(
                "Boternity cannot schedule `{s}` ({why}). Use a cron expression of 5 fields (`0 9 * * *`) or 6 with seconds first, or a phrase: `every 5 minutes`, `hourly`, `daily`, `every day at 09:30`."
            ),
        ));
    }
}

/// A trigger's summary and the checks of its values that trigger registration makes (its keys
/// were checked with the workflow's).
fn trigger(cx: &mut Ctx, t: &Node) -> Option<Trigger> {
    let kind = t.get("type")?.value.as_str()?;
    let shape = ws::shape(ws::TRIGGERS, kind)?;
    let s = |k: &str| t.get(k).and_then(|e| e.value.as_str()).map(str::to_string);
    let summary = match shape.name {
        "cron" => format!("cron {}", s("schedule").unwrap_or_default()),
        "webhook" => {
            if let Some(e) = t.get("path") {
                if let Some(p) = e.value.as_str() {
                    if !p.starts_with('/') {
                        cx.diags.push(Diagnostic::new(
                            &codes::WORKFLOW_VALUE_INVALID,
                            content_range(cx.text, &e.value),
                            if p.is_empty() {
                                "The webhook `path` must not be empty (`validate_trigger_config`).".to_string()
                            } else {
                                format!("The webhook `path` must start with `/` (`validate_trigger_config`): `/{p}`.")
                            },
                        ).fix(format!("Change to `/{p}`"), content_range(cx.text, &e.value), format!("/{p}")));
                    }
                }
            }
            format!("webhook {}", s("path").unwrap_or_default())
        }
        "event" => {
            for k in ["source", "event_type"] {
                if let Some(e) = t.get(k) {
                    if e.value.as_str() == Some("") {
                        cx.diags.push(Diagnostic::new(
                            &codes::WORKFLOW_VALUE_INVALID,
                            e.value.span.clone(),
                            format!("The event trigger's `{k}` must not be empty (`validate_trigger_config`)."),
                        ));
                    }
                }
            }
            format!(
                "event {}/{}",
                s("source").unwrap_or_default(),
                s("event_type").unwrap_or_default()
            )
        }
        "file_watch" => {
            let paths: Vec<String> = t
                .get("paths")
                .and_then(|e| e.value.as_seq())
                .map(|p| {
                    p.iter()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(e) = t.get("paths") {
                if e.value.as_seq().is_some_and(|p| p.is_empty()) {
                    cx.diags.push(Diagnostic::new(
                        &codes::WORKFLOW_VALUE_INVALID,
                        e.value.span.clone(),
                        "A file watch needs at least one path (`validate_trigger_config`).",
                    ));
                }
            }
            format!("file_watch {}", paths.join(" "))
        }
        other => other.to_string(),
    };
    Some(Trigger {
        kind: shape.name.to_string(),
        summary: summary.trim_end().to_string(),
        span: t.span.clone(),
    })
}

fn steps(cx: &mut Ctx, items: &[Node], info: &mut WorkflowInfo) {
    let mut first: HashMap<String, Range<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if item.as_map().is_none() {
            type_error(
                cx,
                item,
                "a step (a mapping with `id`, `name`, `type`, `config`)",
            );
            continue;
        }
        cx.step = Some(info.steps.len());
        let id_node = item.get("id").map(|e| &e.value);
        let anchor = id_node
            .map(|n| n.span.clone())
            .unwrap_or_else(|| first_key(item));
        let label = match id_node.and_then(Node::as_str) {
            Some(id) => format!("step `{id}`"),
            None => format!("step {}", i + 1),
        };
        // `config` is checked below, against its own `type`.
        check_keys(cx, item, ws::STEP_KEYS, &anchor, &label);
        let config_shape = item
            .get("config")
            .and_then(|c| c.value.get("type"))
            .and_then(|t| t.value.as_str())
            .and_then(|t| ws::shape(ws::STEP_TYPES, t));
        let step_type = item.get("type").and_then(|t| t.value.as_str());
        if let (Some(shape), Some(t)) = (config_shape, item.get("type")) {
            if step_type.is_some_and(|s| s != shape.name && ws::shape(ws::STEP_TYPES, s).is_some())
            {
                let range = content_range(cx.text, &t.value);
                cx.diags.push(
                    Diagnostic::new(
                        &codes::WORKFLOW_STEP_TYPE_MISMATCH,
                        range.clone(),
                        format!(
                            "This step says `type: {}` but its `config` is `{}`: Boternity runs it as `{}`.",
                            step_type.unwrap_or(""),
                            shape.name,
                            shape.name
                        ),
                    )
                    .fix(format!("Change to `{}`", shape.name), range, shape.name),
                );
            }
        }
        let Some(id_node) = id_node.filter(|n| n.as_scalar().is_some() && !n.is_null()) else {
            continue;
        };
        let id = id_node.as_str().unwrap_or("").to_string();
        let id_range = content_range(cx.text, id_node);
        if let Some(prev) = first.get(&id) {
            let line = cx.text[..prev.start].matches('\n').count() + 1;
            cx.diags.push(Diagnostic::new(
                &codes::WORKFLOW_STEP_DUPLICATE,
                id_range.clone(),
                format!("Another step (line {line}) already has the id `{id}`; Boternity rejects the workflow (`duplicate step ID`)."),
            ));
        } else {
            first.insert(id.clone(), id_range.clone());
        }
        if let Some(config) = item.get("config").map(|e| &e.value) {
            let call = |k: &str, kind: CallKind| {
                let v = config.get(k)?;
                let name = v.value.as_str().filter(|s| !s.trim().is_empty())?;
                Some(Call {
                    kind,
                    name: name.to_string(),
                    range: content_range(cx.text, &v.value),
                })
            };
            let c = match config_shape.map(|s| s.name) {
                Some("agent") => call("bot", CallKind::Bot),
                Some("skill") => call("skill", CallKind::Skill),
                Some("sub_workflow") => call("workflow_name", CallKind::Workflow),
                _ => None,
            };
            info.calls.extend(c);
        }
        let depends_on = item
            .get("depends_on")
            .and_then(|e| e.value.as_seq())
            .map(|s| {
                s.iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        info.steps.push(Step {
            id,
            id_range,
            span: item.span.clone(),
            name: item
                .get("name")
                .and_then(|e| e.value.as_str())
                .map(str::to_string),
            step_type: config_shape
                .map(|s| s.name.to_string())
                .or(step_type.map(str::to_string)),
            depends_on,
        });
    }
    cx.step = None;
}

/// The checks that need every step: references, cycles, templates and expressions.
fn graph(cx: &mut Ctx, info: &mut WorkflowInfo) {
    let ids: HashSet<&str> = info.steps.iter().map(|s| s.id.as_str()).collect();
    for (_, r, _) in &cx.lists {
        if !ids.contains(r.id.as_str()) {
            let close = crate::workspace::rules::closest(ids.iter().copied(), &r.id);
            let mut msg = format!(
                "There is no step `{}` in this workflow; Boternity rejects it (`unknown step`).",
                r.id
            );
            if let Some(c) = close {
                msg.push_str(&format!(" Did you mean `{c}`?"));
            }
            let mut d = Diagnostic::new(&codes::WORKFLOW_STEP_UNKNOWN, r.range.clone(), msg);
            if let Some(c) = close {
                d = d.fix(format!("Change to `{c}`"), r.range.clone(), c);
            }
            cx.diags.push(d);
        }
    }
    info.refs.extend(cx.lists.iter().map(|(_, r, _)| r.clone()));
    cycles(cx, info);
    let upstream = upstream(info);
    let deferred = std::mem::take(&mut cx.deferred);
    for d in deferred {
        let up = d.step.map(|i| &upstream[i]);
        let here = d.step.map(|i| info.steps[i].id.as_str());
        let refs = if d.expression {
            expression(cx, &d.node)
        } else {
            templates(cx, &d.node)
        };
        for r in refs {
            if !ids.contains(r.id.as_str()) {
                cx.diags.push(Diagnostic::new(
                    &codes::WORKFLOW_OUTPUT_UNKNOWN,
                    r.range.clone(),
                    format!("There is no step `{}`, so it has no output.", r.id),
                ));
            } else if let (Some(up), Some(here)) = (up, here) {
                if !up.contains(&r.id) {
                    let msg = if r.id == here {
                        format!("A step cannot read its own output (`{}`).", r.id)
                    } else {
                        format!(
                            "`{}` does not run before `{here}` (it is not in `depends_on`, directly or through other steps), so its output may not exist yet. Add it to `depends_on`.",
                            r.id
                        )
                    };
                    cx.diags.push(Diagnostic::new(
                        &codes::WORKFLOW_OUTPUT_UNKNOWN,
                        r.range.clone(),
                        msg,
                    ));
                }
            }
            info.refs.push(r);
        }
    }
    info.refs.sort_by_key(|r| r.range.start);
}

/// For each step, the steps that finish before it (`depends_on`, transitively).
fn upstream(info: &WorkflowInfo) -> Vec<HashSet<String>> {
    let by_id: HashMap<&str, &Step> = info.steps.iter().map(|s| (s.id.as_str(), s)).collect();
    info.steps
        .iter()
        .map(|s| {
            let mut seen = HashSet::new();
            let mut stack: Vec<&str> = s.depends_on.iter().map(String::as_str).collect();
            while let Some(d) = stack.pop() {
                if seen.insert(d.to_string()) {
                    if let Some(step) = by_id.get(d) {
                        stack.extend(step.depends_on.iter().map(String::as_str));
                    }
                }
            }
            seen
        })
        .collect()
}

/// Dependency cycles, each reported on every `depends_on` item that closes one, naming the whole
/// cycle (Boternity's `validate_dag` names one step only).
fn cycles(cx: &mut Ctx, info: &WorkflowInfo) {
    let mut by_id: HashMap<&str, &Step> = HashMap::new();
    for s in &info.steps {
        by_id.entry(s.id.as_str()).or_insert(s);
    }
    let edges = |n: &str| -> Vec<&str> {
        by_id
            .get(n)
            .map(|s| s.depends_on.iter().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let nodes: Vec<&str> = info.steps.iter().map(|s| s.id.as_str()).collect();
    let scc = crate::workspace::rules::strongly_connected(&nodes, edges);
    if scc.is_empty() {
        return;
    }
    for (i, s) in info.steps.iter().enumerate() {
        for (_, r, _) in cx.lists.iter().filter(|(at, _, dep)| *at == i && *dep) {
            let cyclic = r.id == s.id
                || (scc.contains_key(s.id.as_str())
                    && scc.get(s.id.as_str()) == scc.get(r.id.as_str()));
            if !cyclic {
                continue;
            }
            let path = crate::workspace::rules::cycle_path(&s.id, &r.id, edges);
            let names: Vec<String> = path.iter().map(|n| format!("`{n}`")).collect();
            cx.diags.push(Diagnostic::new(
                &codes::WORKFLOW_CYCLE,
                r.range.clone(),
                format!(
                    "These steps depend on each other in a cycle: {} (each waits for the next). Boternity stops the run (`cycle detected`); remove one of the `depends_on` entries of the cycle.",
                    names.join(" → ")
                ),
            ));
        }
    }
}

/// Where `inner` (a range of the scalar's value) lies in the document: exact for plain and simple
/// quoted scalars and for the lines of block scalars; the whole scalar otherwise.
pub fn locate(text: &str, node: &Node, inner: Range<usize>) -> Range<usize> {
    let Some(s) = node.as_scalar() else {
        return node.span.clone();
    };
    let value = s.text.as_str();
    let content = content_range(text, node);
    let raw = text.get(content.clone()).unwrap_or("");
    if raw == value {
        return content.start + inner.start..content.start + inner.end;
    }
    if s.style == Style::Block || s.style == Style::Quoted {
        // The value's line that holds `inner`, found in the source line by line.
        let line_start = value[..inner.start.min(value.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line_end = value[line_start..]
            .find('\n')
            .map_or(value.len(), |i| line_start + i);
        let line = &value[line_start..line_end];
        if inner.end <= line_end && !line.is_empty() {
            // Which occurrence of this line text it is, among the value's lines before it.
            let before = value[..line_start].matches(line).count();
            if let Some((at, _)) = raw.match_indices(line).nth(before) {
                if let Some(base) = (content.start + at).checked_sub(line_start) {
                    return base + inner.start..base + inner.end;
                }
            }
        }
    }
    node.span.clone()
}

/// Check the `{{ }}` templates in a template field; the step references they make.
fn templates(cx: &mut Ctx, node: &Node) -> Vec<StepRef> {
    let value = node.as_str().unwrap_or("").to_string();
    let mut refs = Vec::new();
    let mut from = 0;
    while let Some(open) = value[from..].find("{{").map(|i| from + i) {
        let Some(close) = value[open + 2..].find("}}").map(|i| open + 2 + i) else {
            cx.diags.push(Diagnostic::new(
                &codes::WORKFLOW_TEMPLATE_INVALID,
                locate(cx.text, node, open..open + 2),
                "This `{{` is never closed with ` }}`; Boternity leaves it in the text as is.",
            ));
            break;
        };
        let whole = open..close + 2;
        let inner = &value[open + 2..close];
        let here = locate(cx.text, node, whole.clone());
        let expr = inner.trim();
        let root = expr.split('.').next().unwrap_or("");
        let spaced = inner.starts_with(' ') && !inner.starts_with("  ") && inner.ends_with(' ');
        let known = ws::TEMPLATE_ROOTS.iter().any(|r| r.name == root);
        from = close + 2;
        if !known {
            cx.diags.push(Diagnostic::new(
                &codes::WORKFLOW_TEMPLATE_INVALID,
                here,
                format!("Boternity fills in only `{{{{ steps.<id>.output }}}}`, `{{{{ trigger.<field> }}}}` and `{{{{ variables.<name> }}}}`; `{{{{{inner}}}}}` stays in the text as is."),
            ));
            continue;
        }
        if !spaced {
            let fixed = format!("{{{{ {expr} }}}}");
            cx.diags.push(
                Diagnostic::new(
                    &codes::WORKFLOW_TEMPLATE_INVALID,
                    here.clone(),
                    format!("Boternity looks for `{{{{ ` and ` }}}}` with exactly one space inside; it leaves `{{{{{inner}}}}}` in the text as is. Write `{fixed}`."),
                )
                .fix(format!("Change to `{fixed}`"), here.clone(), fixed),
            );
        }
        let mut parts = expr.splitn(3, '.');
        let (_, second, rest) = (parts.next(), parts.next(), parts.next());
        let Some(second) = second.filter(|s| !s.is_empty()) else {
            cx.diags.push(Diagnostic::new(
                &codes::WORKFLOW_TEMPLATE_INVALID,
                here,
                format!("`{root}` needs a name after it: `{root}.<name>`."),
            ));
            continue;
        };
        if root != "steps" {
            continue;
        }
        if rest != Some("output") {
            cx.diags.push(Diagnostic::new(
                &codes::WORKFLOW_TEMPLATE_INVALID,
                here,
                format!("Boternity fills in a step's whole output only: `{{{{ steps.{second}.output }}}}`; `{expr}` stays in the text as is."),
            ));
        }
        // The id inside the template, in the document.
        let id_at = open + 2 + inner.find(second).unwrap_or(0);
        refs.push(StepRef {
            id: second.to_string(),
            range: locate(cx.text, node, id_at..id_at + second.len()),
        });
    }
    refs
}

/// Parse a JEXL expression as Boternity's evaluator does (`jexl-parser` 0.4, under `jexl-eval`
/// 0.4); the `steps.<id>` references it makes.
fn expression(cx: &mut Ctx, node: &Node) -> Vec<StepRef> {
    let value = node.as_str().unwrap_or("").to_string();
    if value.len() > MAX_EXPRESSION {
        return Vec::new();
    }
    match parse_expression(&value) {
        Ok(ids) => {
            let mut refs = Vec::new();
            let mut from = 0;
            for id in ids {
                let Some(at) = find_step_id(&value, from, &id) else {
                    continue;
                };
                from = at + id.len();
                refs.push(StepRef {
                    range: locate(cx.text, node, at..at + id.len()),
                    id,
                });
            }
            refs
        }
        Err((at, message)) => {
            let at = at.min(value.len());
            let end = value[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            cx.diags.push(Diagnostic::new(
                &codes::WORKFLOW_EXPRESSION_SYNTAX,
                locate(cx.text, node, at..end),
                format!("This JEXL expression does not parse: {message}. Boternity fails the step or trigger when it evaluates it."),
            ));
            Vec::new()
        }
    }
}

/// Where `id` is named after `steps` (`steps.id`, `steps['id']`) in `expr`, from byte `from` on.
fn find_step_id(expr: &str, from: usize, id: &str) -> Option<usize> {
    expr.get(from..)?
        .match_indices("steps")
        .map(|(i, _)| from + i)
        .find_map(|s| {
            let after = &expr[s + 5..];
            let skip = after.len() - after.trim_start_matches(['.', '[', '\'', '"', ' ']).len();
            after[skip..].starts_with(id).then_some(s + 5 + skip)
        })
}

/// The step ids an expression reads (`steps.<id>`, `steps['<id>']`), in order; or where and why
/// it does not parse.
pub fn parse_expression(src: &str) -> Result<Vec<String>, (usize, String)> {
    use jexl_parser::ParseError;
    // `jexl-parser` 0.4's lexer counts characters but slices bytes, so a non-ASCII character makes
    // it panic or misread. It reads one ASCII character for each: a letter for a letter (the same in
    // an identifier or a string), `#` (an unexpected character) for anything else outside strings.
    // Its positions are then character indices, turned back into bytes of `src`.
    let ascii: String = src
        .chars()
        .map(|c| match c {
            c if c.is_ascii() => c,
            c if c.is_alphanumeric() => 'a',
            _ => '#',
        })
        .collect();
    let byte = |chars: usize| src.char_indices().nth(chars).map_or(src.len(), |(b, _)| b);
    let result = jexl_parser::Parser::parse(&ascii);
    let result = result.map_err(|e| match e {
        ParseError::InvalidToken { location } => ParseError::InvalidToken {
            location: byte(location),
        },
        ParseError::UnrecognizedEOF { location, expected } => ParseError::UnrecognizedEOF {
            location: byte(location),
            expected,
        },
        ParseError::UnrecognizedToken {
            token: (l, t, r),
            expected,
        } => ParseError::UnrecognizedToken {
            token: (byte(l), t, byte(r)),
            expected,
        },
        ParseError::ExtraToken { token: (l, t, r) } => ParseError::ExtraToken {
            token: (byte(l), t, byte(r)),
        },
        other => other,
    });
    match result {
        Ok(ast) => {
            let mut ids = Vec::new();
            step_ids(&ast, &mut ids, 0);
            if ascii != src {
                // The ids as written: the same characters of `src` as of the ASCII copy.
                let mut from = 0;
                for id in ids.iter_mut() {
                    if let Some(at) = find_step_id(&ascii, from, id) {
                        from = at + id.len();
                        *id = src.chars().skip(at).take(id.len()).collect();
                    }
                }
            }
            Ok(ids)
        }
        Err(e) => Err(match e {
            ParseError::InvalidToken { location } => (location, "an invalid token".to_string()),
            ParseError::UnrecognizedEOF { location, expected } => (
                location,
                format!("it ends too early (expected {})", expected_list(&expected)),
            ),
            ParseError::UnrecognizedToken {
                token: (l, _, r),
                expected,
            } => (
                l,
                format!(
                    "unexpected `{}` (expected {})",
                    src.get(l..r).unwrap_or(""),
                    expected_list(&expected)
                ),
            ),
            ParseError::ExtraToken { token: (l, _, r) } => {
                (l, format!("unexpected `{}`", src.get(l..r).unwrap_or("")))
            }
            // The lexer's own line and column drift (whitespace is counted twice): find the place.
            ParseError::User { error } => {
                (byte(lex_error_at(&ascii, &error.message)), error.message)
            }
        }),
    }
}

fn expected_list(expected: &[String]) -> String {
    if expected.is_empty() {
        return "more".to_string();
    }
    let shown: Vec<&str> = expected.iter().take(6).map(String::as_str).collect();
    let mut s = shown.join(", ");
    if expected.len() > 6 {
        s.push_str(", ...");
    }
    s
}

/// Where the lexer of `jexl-parser` stops with `message` in the ASCII `src`: the character it
/// rejects outside strings, the quote of a string it never closes, the backslash of a bad escape.
fn lex_error_at(src: &str, message: &str) -> usize {
    let b = src.as_bytes();
    let rejected = message
        .strip_prefix("Unexpected character '")
        .and_then(|r| r.bytes().next());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == b'\'' || c == b'"' {
            let open = i;
            i += 1;
            while i < b.len() && b[i] != c {
                if b[i] == b'\\' {
                    if message.starts_with("Invalid escape") {
                        return i;
                    }
                    i += 1;
                }
                i += 1;
            }
            if i >= b.len() {
                return open;
            }
            i += 1;
            continue;
        }
        let pair = matches!(
            (c, next),
            (b'=', Some(b'='))
                | (b'!', Some(b'='))
                | (b'&', Some(b'&'))
                | (b'|', Some(b'|'))
                | (b'<', Some(b'='))
                | (b'>', Some(b'='))
        );
        if pair {
            i += 2;
            continue;
        }
        if Some(c) == rejected {
            return i;
        }
        i += 1;
    }
    0
}

fn step_ids(e: &jexl_parser::ast::Expression, out: &mut Vec<String>, depth: usize) {
    use jexl_parser::ast::Expression as E;
    if depth > 200 {
        return;
    }
    let d = depth + 1;
    match e {
        E::DotOperation { subject, ident } => {
            if matches!(&**subject, E::Identifier(s) if s == "steps") {
                out.push(ident.clone());
            } else {
                step_ids(subject, out, d);
            }
        }
        E::IndexOperation { subject, index } => {
            if let (E::Identifier(s), E::String(id)) = (&**subject, &**index) {
                if s == "steps" {
                    out.push(id.clone());
                    return;
                }
            }
            step_ids(subject, out, d);
            step_ids(index, out, d);
        }
        E::Array(items) => items.iter().for_each(|i| step_ids(i, out, d)),
        E::Object(items) => items.iter().for_each(|(_, i)| step_ids(i, out, d)),
        E::BinaryOperation { left, right, .. } => {
            step_ids(left, out, d);
            step_ids(right, out, d);
        }
        E::Transform { subject, args, .. } => {
            step_ids(subject, out, d);
            for a in args.iter().flatten() {
                step_ids(a, out, d);
            }
        }
        E::Conditional {
            left,
            truthy,
            falsy,
        } => {
            step_ids(left, out, d);
            step_ids(truthy, out, d);
            step_ids(falsy, out, d);
        }
        E::Filter { right, .. } => step_ids(right, out, d),
        E::Number(_) | E::String(_) | E::Boolean(_) | E::Identifier(_) | E::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes_of(text: &str) -> Vec<(&'static str, String)> {
        let mut d = Vec::new();
        check(text, &mut d);
        d.iter()
            .map(|d| (d.code, text[d.range.clone()].to_string()))
            .collect()
    }

    const BASE: &str = "id: \"01938e90-0000-7000-8000-000000000001\"\nname: daily-digest\nversion: \"1.0\"\nowner:\n  type: global\n";

    #[test]
    fn detects_workflows_by_their_keys_only() {
        assert!(looks_like(&format!("{BASE}steps: []\n")));
        assert!(!looks_like(BASE));
        assert!(looks_like("name: x\ntriggers: []\nsteps: []\n"));
        // GitHub Actions and Azure Pipelines.
        assert!(!looks_like(
            "name: CI\non: push\njobs:\n  b:\n    steps:\n      - run: x\n"
        ));
        assert!(!looks_like(
            "name: x\ntrigger: [main]\nsteps:\n  - script: echo\n"
        ));
        assert!(!looks_like("steps: 3\n"));
    }

    #[test]
    fn a_valid_workflow_is_clean() {
        let text = format!("{BASE}triggers:\n  - type: cron\n    schedule: \"0 9 * * *\"\n  - type: manual\nsteps:\n  - id: gather\n    name: Gather\n    type: agent\n    config:\n      type: agent\n      bot: researcher\n      prompt: Find news\n  - id: analyze\n    name: Analyze\n    type: agent\n    depends_on: [gather]\n    condition: \"steps.gather.output|length > 0\"\n    config:\n      type: agent\n      bot: analyst\n      prompt: \"Analyze {{{{ steps.gather.output }}}}\"\n    retry:\n      max_attempts: 3\n      strategy: llm_self_correct\n");
        assert_eq!(codes_of(&text), vec![]);
        let mut d = Vec::new();
        let info = check(&text, &mut d).unwrap();
        assert_eq!(info.steps.len(), 2);
        assert_eq!(info.trigger_summary(), "cron 0 9 * * *, manual");
        assert_eq!(info.calls.len(), 2);
        assert_eq!(&text[info.calls[0].range.clone()], "researcher");
        let gather: Vec<_> = info.refs.iter().map(|r| &text[r.range.clone()]).collect();
        assert_eq!(gather, vec!["gather", "gather", "gather"]);
    }

    #[test]
    fn reports_cycles_naming_the_whole_cycle() {
        let text = format!("{BASE}steps:\n  - id: a\n    name: A\n    type: approval\n    depends_on: [c]\n    config: {{type: approval, prompt: ok}}\n  - id: b\n    name: B\n    type: approval\n    depends_on: [a]\n    config: {{type: approval, prompt: ok}}\n  - id: c\n    name: C\n    type: approval\n    depends_on: [b]\n    config: {{type: approval, prompt: ok}}\n");
        let mut d = Vec::new();
        check(&text, &mut d);
        let cycles: Vec<_> = d.iter().filter(|d| d.code == "workflow-cycle").collect();
        assert_eq!(cycles.len(), 3);
        assert!(
            cycles[0].message.contains("`a` → `c` → `b` → `a`"),
            "{}",
            cycles[0].message
        );
    }

    #[test]
    fn expression_errors_point_inside_the_expression() {
        let text = format!("{BASE}steps:\n  - id: a\n    name: A\n    type: approval\n    condition: \"steps.a.output == \"\n    config: {{type: approval, prompt: ok}}\n");
        let d = codes_of(&text);
        assert!(
            d.contains(&("workflow-expression-syntax", "\"".to_string()))
                || d.iter().any(|(c, _)| *c == "workflow-expression-syntax"),
            "{d:?}"
        );
        let mut ds = Vec::new();
        check(&text, &mut ds);
        let e = ds
            .iter()
            .find(|d| d.code == "workflow-expression-syntax")
            .unwrap();
        // Just after the last token, where an operand is missing.
        assert_eq!(e.range.start, text.find("== \"").unwrap() + 2);
    }

    #[test]
    fn templates_resolve_only_as_boternity_resolves_them() {
        let text = format!("{BASE}steps:\n  - id: a\n    name: A\n    type: approval\n    config:\n      type: approval\n      prompt: \"{{{{steps.a.output}}}} {{{{ steps.zz.output }}}} {{{{ foo }}}} {{{{ steps.a.output\"\n");
        let d = codes_of(&text);
        let kinds: Vec<&str> = d.iter().map(|(c, _)| *c).collect();
        assert!(kinds.contains(&"workflow-template-invalid"), "{d:?}");
        assert!(
            d.contains(&("workflow-output-unknown", "zz".to_string())),
            "{d:?}"
        );
        assert!(
            d.contains(&("workflow-output-unknown", "a".to_string())),
            "{d:?}"
        );
    }

    #[test]
    fn non_ascii_expressions_parse_and_errors_point_at_bytes() {
        assert_eq!(
            parse_expression("steps['café'].output == 'ünï'"),
            Ok(vec!["café".to_string()])
        );
        let src = "'é' == €";
        let (at, _) = parse_expression(src).unwrap_err();
        assert_eq!(&src[at..], "€");
        let src = "'é' == == 1";
        let (at, msg) = parse_expression(src).unwrap_err();
        assert_eq!(&src[at..at + 2], "==", "{msg}");
        assert!(msg.contains("unexpected `==`"), "{msg}");
    }

    #[test]
    fn schedules_as_boternity_normalises_them() {
        assert!(parse_schedule("0 9 * * *").is_ok());
        assert!(parse_schedule("every 5 minutes").is_ok());
        assert!(parse_schedule("every day at 09:30").is_ok());
        assert!(parse_schedule("0 61 * * *").is_err());
        assert!(parse_schedule("weekly").is_err());
        assert!(parse_schedule("every 0 minutes").is_err());
    }

    proptest::proptest! {
        /// Any text, workflow-shaped or not, is checked without a panic, and every range lies in it.
        #[test]
        fn never_panics_and_ranges_stay_in_the_text(
            body in "[ -~\n\u{e9}\u{1F600}]{0,300}",
            expr in "[ -~\u{e9}]{0,60}",
        ) {
            let text = format!("{BASE}steps:\n  - id: a\n    name: A\n    type: approval\n    condition: \"{}\"\n    config:\n      type: approval\n      prompt: |\n        {}\n{body}", expr.replace(['"', '\\'], ""), expr);
            for t in [text.as_str(), body.as_str()] {
                let mut d = Vec::new();
                check(t, &mut d);
                for d in &d {
                    proptest::prop_assert!(d.range.end <= t.len() && t.is_char_boundary(d.range.start) && t.is_char_boundary(d.range.end), "{d:?}");
                }
            }
            let _ = parse_expression(&expr);
        }
    }

    #[test]
    fn block_scalars_locate_lines() {
        let text = "k: |\n  first\n  second {{ x }}\n";
        let root = yaml::parse(text, 0).root.unwrap();
        let v = &root.get("k").unwrap().value;
        let value = v.as_str().unwrap();
        let at = value.find("{{").unwrap();
        let r = locate(text, v, at..at + 2);
        assert_eq!(&text[r], "{{");
    }
}
