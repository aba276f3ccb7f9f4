//! The BuilderTurn JSON schema (formats §7.1) sent as the structured-output schema.
//!
//! Written for OpenAI's strict mode, which the OpenAI-compatible client always requests: every
//! object lists all its properties as `required` and sets `additionalProperties: false`, optional
//! fields are nullable (`["string", "null"]`) instead of omitted, and the variants are an `anyOf`
//! (strict mode has no `oneOf`). Strict mode is kept because it makes OpenAI (and llama.cpp/vLLM
//! grammars) produce schema-valid JSON by construction; Anthropic's tool `input_schema` accepts the
//! same schema. The root is a union, so the LLM layer wraps it in an object (`llm::provider_schema`).

use serde_json::{json, Value};

/// Names the schema for the provider (Anthropic tool name, OpenAI `json_schema.name`).
pub const SCHEMA_NAME: &str = "BuilderTurn";

fn object(properties: Value) -> Value {
    let required: Vec<Value> = properties
        .as_object()
        .map(|m| m.keys().map(|k| json!(k)).collect())
        .unwrap_or_default();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}

fn action(name: &str) -> Value {
    json!({"type": "string", "enum": [name]})
}

fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}

fn strings() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

/// The schema of one builder turn, tagged by `action`.
pub fn builder_turn_schema() -> Value {
    let phase = json!({"$ref": "#/$defs/BuilderPhase"});
    json!({
        "title": SCHEMA_NAME,
        "anyOf": [
            {"$ref": "#/$defs/AskQuestion"},
            {"$ref": "#/$defs/ShowPreview"},
            {"$ref": "#/$defs/ReadyToAssemble"},
            {"$ref": "#/$defs/Clarify"}
        ],
        "$defs": {
            "BuilderPhase": {
                "type": "string",
                "enum": ["basics", "personality", "model", "skills", "review"]
            },
            "QuestionOption": object(json!({
                "id": {"type": "string"},
                "label": {"type": "string"},
                "description": nullable_string()
            })),
            "AskQuestion": object(json!({
                "action": action("ask_question"),
                "phase": phase,
                "question": {"type": "string"},
                "options": {"type": "array", "items": {"$ref": "#/$defs/QuestionOption"}},
                "allow_free_text": {"type": "boolean"},
                "phase_label": nullable_string()
            })),
            "ShowPreview": object(json!({
                "action": action("show_preview"),
                "phase": phase,
                "preview": object(json!({
                    "name": nullable_string(),
                    "description": nullable_string(),
                    "personality_summary": nullable_string(),
                    "model": nullable_string(),
                    "skills": strings(),
                    "phase": phase
                }))
            })),
            "ReadyToAssemble": object(json!({
                "action": action("ready_to_assemble"),
                "config": object(json!({
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "category": {"type": "string"},
                    "tags": strings(),
                    "personality": object(json!({
                        "tone": {"type": "string"},
                        "traits": strings(),
                        "purpose": {"type": "string"},
                        "boundaries": nullable_string()
                    })),
                    "model_config": object(json!({
                        "model": {"type": "string"},
                        "temperature": {"type": "number"},
                        "max_tokens": {"type": "integer"}
                    })),
                    "skills": {"type": "array", "items": object(json!({
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "skill_type": {"type": "string", "enum": ["local", "wasm"]}
                    }))}
                }))
            })),
            "Clarify": object(json!({
                "action": action("clarify"),
                "message": {"type": "string"}
            }))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BuilderTurn;

    /// Walks every subschema and checks OpenAI strict mode's rules.
    fn check_strict(v: &Value, at: &str, problems: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if m.contains_key("oneOf") {
                    problems.push(format!("{at}: oneOf"));
                }
                if let Some(props) = m.get("properties").and_then(Value::as_object) {
                    if m.get("additionalProperties") != Some(&json!(false)) {
                        problems.push(format!("{at}: additionalProperties is not false"));
                    }
                    let required: Vec<&str> = m["required"]
                        .as_array()
                        .map(|r| r.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    for k in props.keys() {
                        if !required.contains(&k.as_str()) {
                            problems.push(format!("{at}: {k} is not required"));
                        }
                    }
                }
                for (k, sub) in m {
                    check_strict(sub, &format!("{at}/{k}"), problems);
                }
            }
            Value::Array(items) => {
                for (i, sub) in items.iter().enumerate() {
                    check_strict(sub, &format!("{at}/{i}"), problems);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn schema_follows_strict_mode_rules() {
        let mut problems = Vec::new();
        check_strict(&builder_turn_schema(), "#", &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn the_spec_example_turn_parses_into_the_wire_type() {
        // §7.1's example, with every nullable field present as strict mode sends it.
        let t: BuilderTurn = serde_json::from_value(json!({
            "action": "ask_question", "phase": "personality",
            "question": "How should Quill talk to students?",
            "options": [{"id": "gentle", "label": "Gentle coach", "description": null}],
            "allow_free_text": true, "phase_label": "Defining personality..."
        }))
        .unwrap();
        assert!(matches!(t, BuilderTurn::AskQuestion { .. }));
        let variants = builder_turn_schema()["anyOf"].as_array().unwrap().len();
        assert_eq!(variants, 4);
    }
}
