//! The builder end to end over stdio: a real `forge-ls` process, a test client that really applies
//! the server's `workspace/applyEdit` to disk, and the files checked with `forge-ls check`.
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

mod support;
use support::editor::{apply_edit, apply_text_edits, check_clean, path_of, uri, workspace};
use support::{outcome, Client, BIN};

/// Picks answers until the session is ready: `pick` chooses per question (None → option 0).
fn run_to_ready(
    lsp: &mut Client,
    mut turn: Value,
    sid: &str,
    pick: &mut dyn FnMut(&Value) -> Option<Value>,
) -> Value {
    for _ in 0..80 {
        let answer = match turn["action"].as_str().unwrap() {
            "ready_to_assemble" => return turn,
            "show_preview" => json!({"confirm": true}),
            "clarify" => json!({"text": "a helpful assistant"}),
            _ => pick(&turn).unwrap_or(json!({"option": 0})),
        };
        let r = lsp.ok(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": answer}),
        );
        assert_eq!(r["session_id"], sid);
        turn = r["turn"].clone();
    }
    panic!("the session never became ready: {turn}");
}

/// The session `sid` has an answer to question `question`.
fn assert_answered(lsp: &mut Client, sid: &str, question: &str) {
    let s = lsp.ok("forge.builder.session", json!({"session_id": sid}));
    let answered = s["answers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["question_id"] == question);
    assert!(answered, "no answer to {question}: {s}");
}

/// A whole new bot named `name`, assembled; returns its folder.
fn build_bot(lsp: &mut Client, name: &str) -> PathBuf {
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "A friendly assistant that helps me plan healthy meals"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    let name = name.to_string();
    run_to_ready(lsp, r["turn"].clone(), &sid, &mut |t| {
        t["question"]
            .as_str()
            .unwrap()
            .contains("called")
            .then(|| json!({"text": name}))
    });
    let files = lsp.ok("forge.builder.assemble", json!({"session_id": sid}));
    let soul = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| path_of(u.as_str().unwrap()))
        .find(|p| p.ends_with("SOUL.md"))
        .expect("SOUL.md among the files");
    soul.parent().unwrap().to_path_buf()
}

#[test]
fn bot_session_from_start_to_assemble() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "A friendly assistant that helps me plan healthy meals"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    assert_eq!(r["turn"]["action"], "ask_question");
    assert!(root.join(".forge/drafts.db").is_file());
    assert_eq!(
        std::fs::read_to_string(root.join(".forge/.gitignore")).unwrap(),
        "*\n"
    );
    // Free text for the name, an option, then back out of the next phase and answer again.
    let r = lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"text": "Luna"}}),
    );
    let mut turn = r["turn"].clone();
    let mut went_back = false;
    for _ in 0..10 {
        if turn["phase"] == "personality" && !went_back {
            let r = lsp.ok(
                "forge.builder.answer",
                json!({"session_id": sid, "answer": {"option": 0}}),
            );
            let back = lsp.ok(
                "forge.builder.answer",
                json!({"session_id": sid, "answer": {"back": true}}),
            );
            assert_eq!(back["turn"]["action"], "ask_question", "{r}");
            went_back = true;
            turn = back["turn"].clone();
            break;
        }
        turn = lsp.ok(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"option": 0}}),
        )["turn"]
            .clone();
    }
    assert!(went_back, "never reached the personality phase");
    // Back re-asks the phase being returned to; Boternity's spelling is accepted too.
    let ready = run_to_ready(&mut lsp, turn, &sid, &mut |t| {
        Some(if t["question"].as_str().unwrap().contains("called") {
            json!({"FreeText": "Luna"})
        } else {
            json!({"OptionIndex": 0})
        })
    });
    assert_eq!(ready["config"]["name"], "Luna");
    let session = lsp.ok("forge.builder.session", json!({"session_id": sid}));
    assert_eq!(session["mode"], "bot");
    assert!(session["answers"].as_array().unwrap().len() >= 4);
    let files = lsp.ok("forge.builder.assemble", json!({"session_id": sid}));
    let files: Vec<PathBuf> = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| path_of(u.as_str().unwrap()))
        .collect();
    let bot = root.join("bots/luna");
    for f in ["IDENTITY.md", "SOUL.md", "USER.md"] {
        assert!(files.contains(&bot.join(f)), "{f} in {files:?}");
        assert!(bot.join(f).is_file(), "{f} written");
    }
    let identity = std::fs::read_to_string(bot.join("IDENTITY.md")).unwrap();
    assert!(identity.contains("display_name: Luna"), "{identity}");
    check_clean(&bot);
    assert_eq!(lsp.seen("window/showDocument"), 1);
    // The draft is gone and the choices remembered.
    assert_eq!(lsp.ok("forge.builder.drafts", json!({})), json!([]));
    assert!(lsp
        .exec("forge.builder.session", json!({"session_id": sid}))
        .is_err());
    // A second bot with the same name gets the next slug.
    let second = build_bot(&mut lsp, "Luna");
    assert_eq!(second, root.join("bots/luna-2"));
    // A skill created for the bot is installed in its folder and attached.
    let created = lsp.ok(
        "forge.skill.create",
        json!({"description": "Look up tomorrow's weather forecast for a city", "name": "weather-check", "bot": uri(&bot.join("SOUL.md"))}),
    );
    let skill = bot.join("skills/weather-check/SKILL.md");
    assert_eq!(path_of(created["uri"].as_str().unwrap()), skill);
    assert!(skill.is_file());
    let toml = std::fs::read_to_string(bot.join("skills.toml")).unwrap();
    assert!(toml.contains("weather-check"), "{toml}");
    check_clean(&bot);
    let all = lsp.ok("forge.skill.validate", json!({}));
    let skills = all["skills"].as_array().unwrap();
    assert!(skills.iter().any(|s| s["name"] == "weather-check"));
    assert!(skills.iter().all(|s| s["errors"] == 0), "{all}");
    lsp.stop();
}

#[test]
fn skill_session_creates_a_valid_skill() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "skill", "description": "Summarise long PDF reports into five bullet points"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    run_to_ready(&mut lsp, r["turn"].clone(), &sid, &mut |_| None);
    assert!(lsp
        .exec("forge.builder.assemble", json!({"session_id": sid}))
        .is_err());
    let created = lsp.ok("forge.skill.create", json!({"session_id": sid}));
    let path = path_of(created["uri"].as_str().unwrap());
    assert!(path.starts_with(root.join("skills")), "{}", path.display());
    assert!(path.is_file());
    let one = lsp.ok("forge.skill.validate", json!({"uri": created["uri"]}));
    assert_eq!(one["skills"].as_array().unwrap().len(), 1);
    assert_eq!(one["skills"][0]["errors"], 0, "{one}");
    check_clean(path.parent().unwrap());
    assert_eq!(lsp.ok("forge.builder.drafts", json!({})), json!([]));
    lsp.stop();
}

#[test]
fn a_session_survives_kill_9() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Helps me learn Spanish"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"text": "Sol"}}),
    );
    let last = lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"option": 0}}),
    );
    lsp.kill(); // SIGKILL: no shutdown, no flush
    let mut again = Client::editor(&root);
    let s = again.ok("forge.builder.session", json!({"session_id": sid}));
    assert_eq!(s["answers"].as_array().unwrap().len(), 2, "{s}");
    assert_eq!(s["turn"], last["turn"]);
    let drafts = again.ok("forge.builder.drafts", json!({}));
    assert_eq!(drafts[0]["session_id"], sid);
    // And it goes on from there.
    again.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"option": 0}}),
    );
    again.stop();
}

/// The lines that differ between two texts with the same number of lines.
fn changed_lines<'a>(before: &'a str, after: &'a str) -> Vec<(&'a str, &'a str)> {
    let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    assert_eq!(a.len(), b.len(), "no line added or removed:\n{after}");
    b.into_iter().zip(a).filter(|(x, y)| x != y).collect()
}

fn read_all(bot: &Path) -> HashMap<String, String> {
    ["IDENTITY.md", "SOUL.md", "USER.md", "skills.toml"]
        .iter()
        .filter_map(|f| Some((f.to_string(), std::fs::read_to_string(bot.join(f)).ok()?)))
        .collect()
}

#[test]
fn reconfigure_changes_only_the_answer_changed() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let bot = build_bot(&mut lsp, "Nova");
    let before = read_all(&bot);
    let r = lsp.ok(
        "forge.builder.reconfigure",
        json!({"uri": uri(&bot.join("IDENTITY.md"))}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    let mut changed = None;
    run_to_ready(&mut lsp, r["turn"].clone(), &sid, &mut |t| {
        // Keep everything (option 0) except the tone, where the second option is another tone.
        if t["question"].as_str().unwrap().contains("tone") && changed.is_none() {
            changed = Some(t["options"][1]["label"].clone());
            return Some(json!({"option": 1}));
        }
        None
    });
    let files = lsp.ok("forge.builder.assemble", json!({"session_id": sid}));
    assert_eq!(
        files["files"],
        json!([uri(&bot.join("SOUL.md")), uri(&bot.join("USER.md"))]),
        "only SOUL.md and USER.md's tone line are written"
    );
    let after = read_all(&bot);
    assert_eq!(before["IDENTITY.md"], after["IDENTITY.md"]);
    // USER.md no longer asks for the old tone: its generated tone line, and nothing else, changed.
    let diff = changed_lines(&before["USER.md"], &after["USER.md"]);
    let tone = changed.as_ref().and_then(Value::as_str).unwrap();
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(
        diff[0].1,
        format!("- Talk to me in a {tone} tone."),
        "{diff:?}"
    );
    let diff = changed_lines(&before["SOUL.md"], &after["SOUL.md"]);
    assert!(!diff.is_empty() && diff.len() <= 2, "{diff:?}");
    assert!(diff.iter().any(|(x, _)| x.starts_with("tone:")), "{diff:?}");
    // No second bot was created.
    assert_eq!(std::fs::read_dir(root.join("bots")).unwrap().count(), 1);
    check_clean(&bot);
    lsp.stop();
}

/// Every turn says whether Back is accepted, so a client never offers a Back the server refuses:
/// not on the first phase of a new session, of a reconfigure session or of a resumed draft.
#[test]
fn turns_say_whether_back_is_possible() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let bot = build_bot(&mut lsp, "Vega");
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Keeps my reading list"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    assert_eq!(r["can_go_back"], false, "{r}");
    let resumed = lsp.ok("forge.builder.session", json!({"session_id": sid}));
    assert_eq!(resumed["can_go_back"], false, "{resumed}");
    let mut r = r;
    while r["turn"]["phase"] == "basics" {
        let answer = if r["turn"]["question"].as_str().unwrap().contains("called") {
            json!({"text": "Vega"})
        } else {
            json!({"option": 0})
        };
        r = lsp.ok(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": answer}),
        );
        if r["turn"]["phase"] == "basics" {
            assert_eq!(r["can_go_back"], false, "{r}");
        }
    }
    assert_eq!(r["can_go_back"], true, "second phase: {r}");
    let resumed = lsp.ok("forge.builder.session", json!({"session_id": sid}));
    assert_eq!(resumed["can_go_back"], true, "{resumed}");
    let back = lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"back": true}}),
    );
    assert_eq!(
        back["can_go_back"], false,
        "back in the first phase: {back}"
    );
    let refused = lsp.exec(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"back": true}}),
    );
    assert!(refused.is_err(), "{refused:?}");

    let r = lsp.ok("forge.builder.reconfigure", json!({"uri": uri(&bot)}));
    assert_eq!(r["turn"]["action"], "ask_question");
    assert_eq!(
        r["can_go_back"], false,
        "first question of reconfigure: {r}"
    );
    lsp.stop();
}

fn code_actions(lsp: &mut Client, path: &Path) -> Vec<Value> {
    code_actions_on(lsp, path, 0, 0)
}

/// `textDocument/codeAction` for a selection from line `first` to line `last`.
fn code_actions_on(lsp: &mut Client, path: &Path, first: u32, last: u32) -> Vec<Value> {
    code_actions_in(lsp, path, (first, 0), (last, 0))
}

/// `textDocument/codeAction` from `start` to `end`, each (line, character).
fn code_actions_in(
    lsp: &mut Client,
    path: &Path,
    start: (u32, u32),
    end: (u32, u32),
) -> Vec<Value> {
    let r = lsp.round_trip(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(path)}, "range": {"start": {"line": start.0, "character": start.1}, "end": {"line": end.0, "character": end.1}}, "context": {"diagnostics": []}}),
    );
    r["result"].as_array().cloned().unwrap_or_default()
}

/// A hand-written bot `bots/<slug>` named `name`: IDENTITY.md with `identity` inside its
/// frontmatter after `display_name`, and a SOUL.md with a tone and a purpose. Returns the
/// IDENTITY.md.
fn hand_bot(root: &Path, slug: &str, name: &str, identity: &str) -> PathBuf {
    let bot = root.join("bots").join(slug);
    std::fs::create_dir_all(&bot).unwrap();
    let path = bot.join("IDENTITY.md");
    std::fs::write(&path, format!("---\ndisplay_name: {name}\n{identity}---\n")).unwrap();
    std::fs::write(
        bot.join("SOUL.md"),
        format!(
            "---\nname: {name}\ntone: calm\n---\n\n# {name}\n\n## Purpose\n\nHelps with {slug}.\n"
        ),
    )
    .unwrap();
    path
}

/// The zero-based number of the first line of `path` starting with `prefix`.
fn line_of(path: &Path, prefix: &str) -> u32 {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line {prefix}… in {text}")) as u32
}

/// Ctrl+. on a line lists that line's quick fixes first, then only the builder answers that
/// fill that line, not every unanswered question of the file.
#[test]
fn code_actions_on_a_line_are_its_fixes_then_its_answers() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let identity = hand_bot(
        &root,
        "reed",
        "Reed",
        "temperature: 5\ncategory: assistant\n",
    );
    lsp.open_file(&identity);
    let everywhere = code_actions_on(&mut lsp, &identity, 0, 5);
    let answers = |v: &[Value]| v.iter().filter(|a| a["kind"] == "refactor.rewrite").count();
    assert!(
        answers(&everywhere) > 0,
        "the file has unanswered questions"
    );
    // The cursor on the value, as Ctrl+. is pressed on the squiggle.
    let on_temperature = code_actions_in(&mut lsp, &identity, (2, 13), (2, 13));
    assert_eq!(on_temperature[0]["kind"], "quickfix", "{on_temperature:?}");
    assert_eq!(
        on_temperature[0]["title"], "Clamp to 2 (the range is 0–2)",
        "{on_temperature:?}"
    );
    assert_eq!(answers(&on_temperature), 0, "{on_temperature:?}");
    // The answers are on the line they write: the closing `---`, where new keys go.
    let on_close = code_actions_on(&mut lsp, &identity, 4, 4);
    assert!(answers(&on_close) > 0, "{on_close:?}");
    assert!(answers(&on_close) <= answers(&everywhere));
    lsp.stop();
}

#[test]
fn pending_question_as_code_action_is_applied_and_recorded() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let bot = build_bot(&mut lsp, "Iris");
    let r = lsp.ok("forge.builder.reconfigure", json!({"uri": uri(&bot)}));
    let sid = r["session_id"].as_str().unwrap().to_string();
    assert_eq!(r["turn"]["action"], "ask_question");
    let identity = bot.join("IDENTITY.md");
    lsp.open_file(&identity);
    let name_line = line_of(&identity, "display_name:");
    let actions: Vec<Value> = code_actions_on(&mut lsp, &identity, name_line, name_line)
        .into_iter()
        .filter(|a| a["kind"] == "refactor.rewrite")
        .collect();
    assert!(!actions.is_empty(), "no builder code action");
    assert!(
        actions[0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Forge · Basics: "),
        "{}",
        actions[0]["title"]
    );
    // "Keep" options change nothing and are not offered as edits: every action writes something.
    let a = actions[0].clone();
    let before = std::fs::read_to_string(&identity).unwrap();
    apply_edit(&a["edit"]).unwrap();
    let cmd = &a["command"];
    assert_eq!(cmd["command"], "forge.builder.answer");
    let recorded = lsp.ok("forge.builder.answer", cmd["arguments"][0].clone());
    assert_eq!(recorded["session_id"], sid);
    let s = lsp.ok("forge.builder.session", json!({"session_id": sid}));
    assert_eq!(s["answers"].as_array().unwrap().len(), 1);
    assert_eq!(s["answers"][0]["question_id"], "name");
    let after = std::fs::read_to_string(&identity).unwrap();
    assert_ne!(before, after, "the edit wrote the answer");
    let label = a["title"].as_str().unwrap().rsplit("→ ").next().unwrap();
    assert!(after.contains(label), "{after} should hold {label}");
    let lens = lsp.round_trip(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(&identity)}}),
    );
    let title = lens["result"][0]["command"]["title"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(title.starts_with("Forge · "), "{lens}");

    // A hand-written bot without a session: unanswered questions are offered with their options.
    let hand = root.join("bots/hand");
    std::fs::create_dir_all(&hand).unwrap();
    std::fs::write(
        hand.join("IDENTITY.md"),
        "---\nname: hand\ndisplay_name: Hand\n---\n",
    )
    .unwrap();
    std::fs::write(
        hand.join("SOUL.md"),
        "---\nname: Hand\ntone: calm\n---\n\n# Hand\n\n## Purpose\n\nHelps with gardening.\n",
    )
    .unwrap();
    let soul = hand.join("SOUL.md");
    lsp.open_file(&soul);
    let offers: Vec<Value> = code_actions_on(&mut lsp, &soul, 0, 20)
        .into_iter()
        .filter(|a| a["kind"] == "refactor.rewrite")
        .collect();
    let boundary = offers
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("Personality"))
        .unwrap_or_else(|| panic!("no personality question offered: {offers:?}"));
    assert!(boundary.get("command").is_none());
    apply_edit(&boundary["edit"]).unwrap();
    assert_ne!(
        std::fs::read_to_string(&soul).unwrap(),
        "---\nname: Hand\ntone: calm\n---\n\n# Hand\n\n## Purpose\n\nHelps with gardening.\n"
    );
    let lens = lsp.round_trip(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(&soul)}}),
    );
    assert!(
        lens["result"][0]["command"]["title"]
            .as_str()
            .unwrap()
            .contains("unanswered"),
        "{lens}"
    );
    lsp.stop();
}

#[test]
fn concurrent_commands_on_two_sessions() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let a = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Helps me cook"}),
    )["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = lsp.ok(
        "forge.builder.start",
        json!({"mode": "skill", "description": "Formats SQL queries"}),
    )["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Three answers per session in flight at once: each session's answers are serialised.
    let mut ids = Vec::new();
    for i in 0..3 {
        let first = if i == 0 {
            json!({"text": "Chef"})
        } else {
            json!({"option": 0})
        };
        ids.push(lsp.send_exec(
            "forge.builder.answer",
            json!({"session_id": a, "answer": first}),
        ));
        ids.push(lsp.send_exec(
            "forge.builder.answer",
            json!({"session_id": b, "answer": {"option": 0}}),
        ));
    }
    for id in ids {
        let r = lsp.response(id);
        assert!(r.get("error").is_none(), "{r}");
    }
    for sid in [&a, &b] {
        let s = lsp.ok("forge.builder.session", json!({"session_id": sid}));
        assert_eq!(s["answers"].as_array().unwrap().len(), 3, "{s}");
    }
    lsp.stop();
}

#[test]
fn a_rejected_edit_keeps_the_draft() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Tracks my running"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    run_to_ready(&mut lsp, r["turn"].clone(), &sid, &mut |_| None);
    lsp.reject_edits(true);
    let e = lsp
        .exec("forge.builder.assemble", json!({"session_id": sid}))
        .unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.contains("did not apply") && msg.contains("draft is kept"),
        "{msg}"
    );
    assert!(!root.join("bots").exists());
    assert_eq!(
        lsp.ok("forge.builder.drafts", json!({}))[0]["session_id"],
        sid
    );
    lsp.reject_edits(false);
    lsp.ok("forge.builder.assemble", json!({"session_id": sid}));
    assert!(root.join("bots").is_dir());
    lsp.stop();
}

#[test]
fn a_locked_database_is_a_clear_error_and_loses_no_turn() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Reads me the news"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"text": "Herald"}}),
    );
    let conn = rusqlite::Connection::open(root.join(".forge/drafts.db")).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let e = lsp
        .exec(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"option": 0}}),
        )
        .unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("drafts database"), "{msg}");
    conn.execute_batch("ROLLBACK").unwrap();
    let s = lsp.ok("forge.builder.session", json!({"session_id": sid}));
    assert_eq!(
        s["answers"].as_array().unwrap().len(),
        1,
        "the failed turn left the session as it was"
    );
    lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"option": 0}}),
    );
    let s = lsp.ok("forge.builder.session", json!({"session_id": sid}));
    assert_eq!(s["answers"].as_array().unwrap().len(), 2);
    lsp.stop();
}

#[test]
fn bad_input_is_refused_clearly() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let invalid_params = |e: &Value| assert_eq!(e["code"], -32602, "{e}");
    // Arguments.
    invalid_params(&lsp.exec("forge.builder.start", json!({})).unwrap_err());
    invalid_params(
        &lsp.exec("forge.builder.start", json!({"mode": "robot"}))
            .unwrap_err(),
    );
    invalid_params(
        &lsp.exec(
            "forge.builder.answer",
            json!({"session_id": "nope", "answer": {"option": 0}}),
        )
        .unwrap_err(),
    );
    invalid_params(&lsp.exec("forge.builder.nope", json!({})).unwrap_err());
    let e = lsp
        .exec("forge.skill.create", json!({"description": "  "}))
        .unwrap_err();
    invalid_params(&e);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("`description` is empty"),
        "{e}"
    );
    let r = lsp.round_trip(
        "workspace/executeCommand",
        json!({"command": "forge.builder.answer", "arguments": [42]}),
    );
    invalid_params(&r["error"]);
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Helps\u{0007} me\u{0000} plan trips"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    let before = lsp.ok("forge.builder.session", json!({"session_id": sid}));
    // An answer out of range, a malformed answer, 1 MB of text: errors, the session unchanged.
    invalid_params(
        &lsp.exec(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"option": 999}}),
        )
        .unwrap_err(),
    );
    invalid_params(
        &lsp.exec(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"option": -1}}),
        )
        .unwrap_err(),
    );
    invalid_params(
        &lsp.exec("forge.builder.answer", json!({"session_id": sid}))
            .unwrap_err(),
    );
    let huge = "x".repeat(1 << 20);
    let e = lsp
        .exec(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"text": huge}}),
        )
        .unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("too long"), "{e}");
    // A name that slugifies to nothing.
    let e = lsp
        .exec(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"text": "!!!"}}),
        )
        .unwrap_err();
    invalid_params(&e);
    assert!(
        e["message"].as_str().unwrap().contains("alphanumeric"),
        "{e}"
    );
    assert_eq!(
        lsp.ok("forge.builder.session", json!({"session_id": sid})),
        before
    );
    // Control characters never reach the files; `../../x` stays a plain slug inside bots/.
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Helps me plan trips"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    run_to_ready(&mut lsp, r["turn"].clone(), &sid, &mut |t| {
        t["question"]
            .as_str()
            .unwrap()
            .contains("called")
            .then(|| json!({"text": "../../x\u{0007}"}))
    });
    // Writing outside the workspace is refused.
    let outside = tempfile::tempdir().unwrap();
    let e = lsp
        .exec(
            "forge.builder.assemble",
            json!({"session_id": sid, "folder": uri(outside.path())}),
        )
        .unwrap_err();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("outside the workspace"),
        "{e}"
    );
    let e = lsp
        .exec(
            "forge.builder.assemble",
            json!({"session_id": sid, "folder": uri(&root.join("../escape"))}),
        )
        .unwrap_err();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("outside the workspace"),
        "{e}"
    );
    std::os::unix::fs::symlink(outside.path(), root.join("link")).unwrap();
    let e = lsp
        .exec(
            "forge.builder.assemble",
            json!({"session_id": sid, "folder": uri(&root.join("link"))}),
        )
        .unwrap_err();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("outside the workspace"),
        "{e}"
    );
    let files = lsp.ok("forge.builder.assemble", json!({"session_id": sid}));
    for f in files["files"].as_array().unwrap() {
        let p = path_of(f.as_str().unwrap());
        assert!(p.starts_with(root.join("bots/x")), "{}", p.display());
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(!text.contains('\u{0007}'), "{}", p.display());
    }
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    let e = lsp
        .exec(
            "forge.skill.create",
            json!({"description": "x", "name": "!!!"}),
        )
        .unwrap_err();
    invalid_params(&e);
    let e = lsp
        .exec(
            "forge.builder.reconfigure",
            json!({"uri": uri(outside.path())}),
        )
        .unwrap_err();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("outside the workspace"),
        "{e}"
    );
    // Still alive.
    assert!(lsp.exec("forge.builder.drafts", json!({})).is_ok());
    lsp.stop();
}

#[test]
fn a_corrupt_database_is_moved_aside_and_the_user_told() {
    let (_dir, root) = workspace();
    std::fs::create_dir_all(root.join(".forge")).unwrap();
    std::fs::write(root.join(".forge/drafts.db"), vec![0xAB; 8192]).unwrap();
    let mut lsp = Client::editor(&root);
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Keeps my notes"}),
    );
    assert!(r["session_id"].is_string());
    // Notifications and responses travel on separate queues inside the server: wait a little.
    let told = (0..50).any(|_| {
        let seen = lsp.server_messages().iter().any(|m| {
            m["method"] == "window/showMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|t| t.contains("damaged"))
        });
        if !seen {
            std::thread::sleep(Duration::from_millis(100));
        }
        seen
    });
    assert!(told, "no window/showMessage about the damaged database");
    let aside = std::fs::read_dir(root.join(".forge"))
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("drafts.db.corrupt-")
        });
    assert!(aside, "the damaged file is kept aside");
    lsp.stop();
}

#[test]
fn reconfigure_after_a_code_action_assembles_without_rewriting_it() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let bot = build_bot(&mut lsp, "Echo");
    let r = lsp.ok(
        "forge.builder.reconfigure",
        json!({"uri": uri(&bot.join("SOUL.md"))}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    let identity = bot.join("IDENTITY.md");
    lsp.open_file(&identity);
    let name_line = line_of(&identity, "display_name:");
    let actions = code_actions_on(&mut lsp, &identity, name_line, name_line);
    let a = actions
        .iter()
        .find(|a| a["kind"] == "refactor.rewrite")
        .expect("a builder action")
        .clone();
    apply_edit(&a["edit"]).unwrap();
    let next = lsp.ok("forge.builder.answer", a["command"]["arguments"][0].clone());
    let after_action = read_all(&bot);
    run_to_ready(&mut lsp, next["turn"].clone(), &sid, &mut |_| None);
    lsp.ok("forge.builder.assemble", json!({"session_id": sid}));
    let after = read_all(&bot);
    // The action wrote the new display_name; assembling keeps it and carries the new name into the
    // places the single-field action does not cover (the heading), without touching the rest.
    let line = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("display_name:"))
            .map(str::to_string)
    };
    assert_eq!(
        line(&after_action["IDENTITY.md"]),
        line(&after["IDENTITY.md"])
    );
    let name = line(&after["IDENTITY.md"]).unwrap();
    let name = name.trim_start_matches("display_name:").trim();
    assert!(
        after["IDENTITY.md"].contains(&format!("# {name} - Identity")),
        "{}",
        after["IDENTITY.md"]
    );
    assert_eq!(
        after_action["USER.md"].lines().count(),
        after["USER.md"].lines().count()
    );
    check_clean(&bot);
    lsp.stop();
}

#[test]
fn an_unusable_drafts_location_is_a_clear_error() {
    let (_dir, root) = workspace();
    // A file where the `.forge` directory should be: the store cannot be created (this works as
    // root too, where permission bits would not stop the server).
    std::fs::write(root.join(".forge"), "not a directory").unwrap();
    let mut lsp = Client::editor(&root);
    let e = lsp
        .exec(
            "forge.builder.start",
            json!({"mode": "bot", "description": "Keeps my notes"}),
        )
        .unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("drafts") && msg.contains(".forge"), "{msg}");
    // The server keeps serving, and a later command can still succeed once the path is usable.
    std::fs::remove_file(root.join(".forge")).unwrap();
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Keeps my notes"}),
    );
    assert!(r["session_id"].is_string());
    lsp.stop();
}

#[test]
fn a_question_whose_file_is_missing_is_offered_in_soul_md() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let bot = root.join("bots/fern");
    std::fs::create_dir_all(&bot).unwrap();
    std::fs::write(
        bot.join("IDENTITY.md"),
        "---\ndisplay_name: Fern\nmodel: claude-sonnet-4-20250514\n---\n",
    )
    .unwrap();
    let soul = bot.join("SOUL.md");
    std::fs::write(&soul, "---\nname: Fern\ntone: calm\n---\n\n# Fern\n\n## Purpose\n\nHelps with gardening.\n\n## Boundaries\n\nNo medical advice.\n").unwrap();
    let r = lsp.ok("forge.builder.reconfigure", json!({"uri": uri(&soul)}));
    let sid = r["session_id"].as_str().unwrap().to_string();
    let mut turn = r["turn"].clone();
    for _ in 0..20 {
        if turn["phase"] == "skills" {
            break;
        }
        turn = lsp.ok(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"option": 0}}),
        )["turn"]
            .clone();
    }
    assert_eq!(turn["phase"], "skills", "{turn}");
    lsp.open_file(&soul);
    let actions: Vec<Value> = code_actions(&mut lsp, &soul)
        .into_iter()
        .filter(|a| a["title"].as_str().unwrap().starts_with("Forge · Skills: "))
        .collect();
    let a = actions
        .iter()
        .find(|a| a["edit"].to_string().contains("skills.toml"))
        .unwrap_or_else(|| panic!("no skills action writing skills.toml: {actions:?}"));
    apply_edit(&a["edit"]).unwrap();
    assert!(bot.join("skills.toml").is_file());
    lsp.ok("forge.builder.answer", a["command"]["arguments"][0].clone());
    assert_answered(&mut lsp, &sid, "skills");
    check_clean(&bot);
    lsp.stop();
}

#[test]
fn a_cancelled_assemble_still_finishes_consistently() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Tracks my reading list"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    run_to_ready(&mut lsp, r["turn"].clone(), &sid, &mut |_| None);
    lsp.slow_edits(true);
    let id = lsp.send_exec("forge.builder.assemble", json!({"session_id": sid}));
    std::thread::sleep(Duration::from_millis(100));
    lsp.notify("$/cancelRequest", json!({"id": id}));
    let r = lsp.response(id);
    assert_eq!(r["error"]["code"], -32800, "{r}");
    // The command ran to its end: the bot is written once and the draft is gone, so a retry
    // cannot write a second copy.
    let mut done = false;
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(100));
        if lsp.ok("forge.builder.drafts", json!({})) == json!([]) {
            done = true;
            break;
        }
    }
    assert!(done, "the draft was not removed after the applied edit");
    assert_eq!(std::fs::read_dir(root.join("bots")).unwrap().count(), 1);
    assert!(lsp
        .exec("forge.builder.assemble", json!({"session_id": sid}))
        .is_err());
    lsp.stop();
}

#[test]
fn a_changed_drafts_path_moves_the_builder_to_the_new_database() {
    let (dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let first = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Keeps my notes"}),
    );
    assert!(root.join(".forge/drafts.db").exists());
    let moved = dir.path().join("elsewhere/drafts.db");
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"forge": {"draftsPath": moved.to_str().unwrap()}}}),
    );
    let second = lsp.ok(
        "forge.builder.start",
        json!({"mode": "skill", "description": "Summarises pages"}),
    );
    assert!(moved.exists(), "no database at the new draftsPath");
    let ids: Vec<Value> = lsp
        .ok("forge.builder.drafts", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["session_id"].clone())
        .collect();
    assert!(ids.contains(&second["session_id"]), "{ids:?}");
    assert!(!ids.contains(&first["session_id"]), "{ids:?}");
    // The old database is left as it was: switching back finds the first session again.
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"forge": {}}}),
    );
    let s = lsp.ok(
        "forge.builder.session",
        json!({"session_id": first["session_id"]}),
    );
    assert_eq!(s["session_id"], first["session_id"]);
    lsp.stop();
}

// ---------------------------------------------------------------- faults

/// SQLite's own check of the drafts database file.
fn integrity(root: &Path) -> String {
    let conn = rusqlite::Connection::open(root.join(".forge/drafts.db")).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn draft_ids(lsp: &mut Client) -> Vec<String> {
    lsp.ok("forge.builder.drafts", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["session_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn kill_9_during_draft_writes_never_loses_a_committed_turn() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let mut acknowledged: Vec<String> = Vec::new();
    for round in 0..6 {
        // Several draft writes in flight; only some acknowledged before SIGKILL.
        let ids: Vec<i64> = (0..5)
            .map(|i| {
                lsp.send_exec(
                    "forge.builder.start",
                    json!({"mode": "bot", "description": format!("Round {round} bot {i}")}),
                )
            })
            .collect();
        for id in &ids[..round % 3 + 1] {
            let r = outcome(lsp.response(*id)).expect("start");
            acknowledged.push(r["session_id"].as_str().unwrap().to_string());
        }
        lsp.kill();
        assert_eq!(integrity(&root), "ok", "round {round}");
        lsp = Client::editor(&root);
        let drafts = draft_ids(&mut lsp);
        for sid in &acknowledged {
            assert!(
                drafts.contains(sid),
                "round {round}: acknowledged {sid} lost"
            );
            let s = lsp.ok("forge.builder.session", json!({"session_id": sid}));
            assert_eq!(s["turn"]["action"], "ask_question", "{s}");
        }
        assert!(drafts.len() <= acknowledged.len() + 4 * (round + 1));
    }
    lsp.stop();
}

#[test]
fn two_servers_on_one_workspace_share_the_drafts() {
    let (_dir, root) = workspace();
    let mut a = Client::editor(&root);
    let mut b = Client::editor(&root);
    let start = |lsp: &mut Client, what: &str| {
        lsp.ok(
            "forge.builder.start",
            json!({"mode": "bot", "description": what}),
        )["session_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let sa = start(&mut a, "Helps me cook");
    let sb = start(&mut b, "Helps me run");
    // Both windows answer at once, each on its own session.
    let mut pending = Vec::new();
    for i in 0..3 {
        let answer = if i == 0 {
            json!({"text": "Twin"})
        } else {
            json!({"option": 0})
        };
        pending.push((
            0,
            a.send_exec(
                "forge.builder.answer",
                json!({"session_id": sa, "answer": answer}),
            ),
        ));
        pending.push((
            1,
            b.send_exec(
                "forge.builder.answer",
                json!({"session_id": sb, "answer": answer}),
            ),
        ));
    }
    for (which, id) in pending {
        let lsp = if which == 0 { &mut a } else { &mut b };
        let r = lsp.response(id);
        assert!(r.get("error").is_none(), "{r}");
    }
    for lsp in [&mut a, &mut b] {
        let ids = draft_ids(lsp);
        assert!(ids.contains(&sa) && ids.contains(&sb), "{ids:?}");
    }
    // One window goes on with the other's session: the turn lands in the shared database.
    b.ok(
        "forge.builder.answer",
        json!({"session_id": sa, "answer": {"option": 0}}),
    );
    let s = a.ok("forge.builder.session", json!({"session_id": sa}));
    assert_eq!(s["answers"].as_array().unwrap().len(), 4, "{s}");
    a.ok(
        "forge.builder.answer",
        json!({"session_id": sa, "answer": {"option": 0}}),
    );
    let s = b.ok("forge.builder.session", json!({"session_id": sa}));
    assert_eq!(s["answers"].as_array().unwrap().len(), 5, "{s}");
    a.stop();
    b.stop();
    assert_eq!(integrity(&root), "ok");
}

#[test]
fn bot_files_moved_or_deleted_under_a_reconfigure_session() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let bot = build_bot(&mut lsp, "Nova");
    let r = lsp.ok(
        "forge.builder.reconfigure",
        json!({"uri": uri(&bot.join("IDENTITY.md"))}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    run_to_ready(&mut lsp, r["turn"].clone(), &sid, &mut |_| None);
    // The user renames the folder, then deletes a file, while the session is open.
    let moved = root.join("bots/nova-moved");
    std::fs::rename(&bot, &moved).unwrap();
    let e = lsp
        .exec("forge.builder.assemble", json!({"session_id": sid}))
        .unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.contains("is gone") && msg.contains("draft is kept"),
        "{msg}"
    );
    assert!(!bot.exists(), "nothing written where the bot was");
    assert!(draft_ids(&mut lsp).contains(&sid));
    // A file deleted under a new session: reconfigure still starts, and assembling
    // writes the missing file whole.
    std::fs::remove_file(moved.join("SOUL.md")).unwrap();
    let r = lsp.ok(
        "forge.builder.reconfigure",
        json!({"uri": uri(&moved.join("IDENTITY.md"))}),
    );
    let sid2 = r["session_id"].as_str().unwrap().to_string();
    let pick_new_name = &mut |t: &Value| {
        t["question"]
            .as_str()
            .unwrap()
            .contains("called")
            .then(|| json!({"text": "Nova Two"}))
    };
    run_to_ready(&mut lsp, r["turn"].clone(), &sid2, pick_new_name);
    lsp.ok("forge.builder.assemble", json!({"session_id": sid2}));
    assert!(moved.join("SOUL.md").is_file());
    check_clean(&moved);
    lsp.stop();
}

/// Unmounts on drop (before the temporary workspace is removed).
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A small tmpfs at `dir`, or `None` without the privilege to mount one.
fn tmpfs(dir: &Path, size: &str) -> Option<Mounted> {
    let ok = Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            &format!("size={size},mode=0700"),
            "tmpfs",
        ])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| Mounted(dir.to_path_buf()))
}

fn answers_of(lsp: &mut Client, sid: &str) -> usize {
    lsp.ok("forge.builder.session", json!({"session_id": sid}))["answers"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn a_full_or_read_only_drafts_disk_is_a_clear_error_and_loses_nothing() {
    let (_dir, root) = workspace();
    let forge = root.join(".forge");
    std::fs::create_dir(&forge).unwrap();
    // A real full disk and a real read-only file system need a mount; root can't be
    // stopped by file modes, so without CAP_SYS_ADMIN this test has nothing to run on.
    let Some(_mounted) = tmpfs(&forge, "256k") else {
        eprintln!("skipped: mounting a tmpfs needs CAP_SYS_ADMIN");
        return;
    };
    let mut lsp = Client::editor(&root);
    let sid = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Keeps the disk busy"}),
    )["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"text": "Disky"}}),
    );
    // Fill the disk.
    let filler = forge.join("filler");
    {
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 4096];
        while f.write_all(&chunk).and_then(|_| f.sync_all()).is_ok() {}
    }
    let e = lsp
        .exec(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"option": 0}}),
        )
        .unwrap_err();
    let msg = e["message"].as_str().unwrap().to_lowercase();
    assert!(msg.contains("drafts") && msg.contains("full"), "{msg}");
    assert_eq!(
        answers_of(&mut lsp, &sid),
        1,
        "the failed turn changed nothing"
    );
    std::fs::remove_file(&filler).unwrap();
    lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"option": 0}}),
    );
    assert_eq!(answers_of(&mut lsp, &sid), 2);
    // Read-only.
    let remount = |opts: &str| {
        assert!(Command::new("mount")
            .args(["-o", opts])
            .arg(&forge)
            .status()
            .unwrap()
            .success());
    };
    // (A file system with a database open for writing cannot be remounted read-only.)
    lsp.stop();
    remount("remount,ro");
    let mut lsp = Client::editor(&root);
    let e = lsp
        .exec(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"option": 0}}),
        )
        .unwrap_err();
    let msg = e["message"].as_str().unwrap().to_lowercase();
    assert!(msg.contains("drafts") && msg.contains("read"), "{msg}");
    lsp.stop();
    remount("remount,rw");
    let mut lsp = Client::editor(&root);
    assert_eq!(answers_of(&mut lsp, &sid), 2);
    lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"option": 0}}),
    );
    assert_eq!(answers_of(&mut lsp, &sid), 3);
    lsp.stop();
    assert_eq!(integrity(&root), "ok");
}

#[test]
fn writes_through_symlinks_out_of_the_workspace_are_refused() {
    let (_dir, root) = workspace();
    let outside = tempfile::tempdir().unwrap();
    // `skills/` and `bots/` themselves lead out of the workspace.
    std::os::unix::fs::symlink(outside.path(), root.join("skills")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("bots")).unwrap();
    let mut lsp = Client::editor(&root);
    let e = lsp
        .exec(
            "forge.skill.create",
            json!({"description": "Formats SQL queries", "name": "sql-format"}),
        )
        .unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("outside the workspace"), "{msg}");
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Helps me plan trips"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    run_to_ready(&mut lsp, r["turn"].clone(), &sid, &mut |_| None);
    let e = lsp
        .exec("forge.builder.assemble", json!({"session_id": sid}))
        .unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("outside the workspace"), "{msg}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    assert!(draft_ids(&mut lsp).contains(&sid), "the draft is kept");
    lsp.stop();
}

/// `textDocument/completion` at `pos` in `path` (UTF-8 columns).
fn completions(lsp: &mut Client, path: &Path, line: u32, character: u32) -> Vec<Value> {
    let r = lsp.round_trip(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}}),
    );
    r["result"]["items"].as_array().cloned().unwrap_or_default()
}

/// Applies a completion item (its text edit and additional edits) to the file on disk.
fn accept(path: &Path, item: &Value) {
    let mut edits = vec![item["textEdit"].clone()];
    edits.extend(
        item["additionalTextEdits"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    );
    apply_text_edits(path, &edits).unwrap();
}

#[test]
fn builder_answers_complete_at_the_field_or_section_they_fill() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let bot = root.join("bots/moss");
    std::fs::create_dir_all(&bot).unwrap();
    let identity = bot.join("IDENTITY.md");
    std::fs::write(&identity, "---\ndisplay_name: Moss\nmod\n---\n").unwrap();
    let soul = bot.join("SOUL.md");
    let soul_text =
        "---\nname: Moss\ntone: calm\n---\n\n# Moss\n\n## Purpose\n\nHelps with gardening.\n\n## Bou";
    std::fs::write(&soul, soul_text).unwrap();
    lsp.open_file(&identity);
    lsp.open_file(&soul);

    // Typing a heading: the boundaries answers come first, and accepting one replaces `## Bou`.
    let items = completions(&mut lsp, &soul, 12, 6);
    let first = &items[0];
    assert!(
        first["detail"]
            .as_str()
            .unwrap()
            .contains("What should Moss never do?"),
        "{items:?}"
    );
    assert!(items
        .iter()
        .all(|i| !i["detail"].as_str().unwrap_or("").contains("purpose")));
    accept(&soul, first);
    let after = std::fs::read_to_string(&soul).unwrap();
    assert!(after.contains("## Boundaries\n"), "{after}");
    assert!(
        !after.contains("## Bou\n") && !after.ends_with("## Bou"),
        "{after}"
    );
    assert!(after.starts_with(
        "---\nname: Moss\ntone: calm\n---\n\n# Moss\n\n## Purpose\n\nHelps with gardening.\n"
    ));

    // Typing a key in IDENTITY.md's frontmatter: the model question, written as model + provider.
    let items = completions(&mut lsp, &identity, 2, 3);
    let model = items
        .iter()
        .find(|i| i["detail"].as_str().unwrap_or("").contains("Which model"))
        .unwrap_or_else(|| panic!("no model answer offered: {items:?}"));
    accept(&identity, model);
    let id = std::fs::read_to_string(&identity).unwrap();
    assert!(
        id.contains("\nmodel: ") && id.contains("\nprovider: "),
        "{id}"
    );
    assert!(!id.contains("\nmod\n"), "{id}");
    check_clean(&bot);

    // Elsewhere (the body of a finished section) no builder answer is offered.
    lsp.close_file(&soul);
    lsp.open_file(&soul);
    let items = completions(&mut lsp, &soul, 9, 3);
    assert!(
        items
            .iter()
            .all(|i| !i["detail"].as_str().unwrap_or("").starts_with("Forge · ")),
        "{items:?}"
    );

    // A bound session: its pending question completes where it goes, and accepting records it.
    let r = lsp.ok("forge.builder.reconfigure", json!({"uri": uri(&soul)}));
    let sid = r["session_id"].as_str().unwrap().to_string();
    let mut turn = r["turn"].clone();
    for _ in 0..2 {
        // Keep the name and the description.
        turn = lsp.ok(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"option": 0}}),
        )["turn"]
            .clone();
    }
    assert_eq!(turn["question"], "Which kind of bot is Moss?", "{turn}");
    let id = std::fs::read_to_string(&identity)
        .unwrap()
        .replace("display_name: Moss\n", "display_name: Moss\ncat\n");
    std::fs::write(&identity, id).unwrap();
    lsp.close_file(&identity);
    lsp.open_file(&identity);
    let items = completions(&mut lsp, &identity, 2, 3);
    let category = items
        .iter()
        .find(|i| i["command"]["command"] == "forge.builder.answer")
        .unwrap_or_else(|| panic!("no recorded answer offered: {items:?}"));
    accept(&identity, category);
    let id = std::fs::read_to_string(&identity).unwrap();
    assert!(
        id.contains("\ncategory: ") && !id.contains("\ncat\n"),
        "{id}"
    );
    lsp.ok(
        "forge.builder.answer",
        category["command"]["arguments"][0].clone(),
    );
    assert_answered(&mut lsp, &sid, "category");
    check_clean(&bot);
    lsp.stop();
}

/// On a blank frontmatter line the keys come first, then the builder's answers (which would
/// otherwise bury the keys under values such as `1024` or `assistant`).
#[test]
fn keys_sort_before_builder_answers_on_a_blank_frontmatter_line() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let identity = hand_bot(&root, "fern", "Fern", "\n");
    lsp.open_file(&identity);
    let mut items = completions(&mut lsp, &identity, 2, 0);
    let builder = |i: &Value| i["detail"].as_str().unwrap_or("").starts_with("Forge · ");
    assert!(
        items.iter().any(builder),
        "builder answers offered: {items:?}"
    );
    assert!(
        items.iter().any(|i| i["kind"] == 10),
        "keys offered: {items:?}"
    );
    items.sort_by(|a, b| a["sortText"].as_str().cmp(&b["sortText"].as_str()));
    let first_answer = items.iter().position(builder).unwrap();
    let last_key = items.iter().rposition(|i| i["kind"] == 10).unwrap();
    assert!(
        last_key < first_answer,
        "keys first: {:?}",
        items.iter().map(|i| &i["label"]).collect::<Vec<_>>()
    );
    lsp.stop();
}

/// A workspace skill whose `name` differs from its folder is offered by its name, which is what
/// the new bot's skills.toml must say to validate.
#[test]
fn a_skill_is_offered_by_the_name_skills_toml_resolves() {
    let (_dir, root) = workspace();
    let skill = root.join("skills/lookup-web");
    std::fs::create_dir_all(&skill).unwrap();
    std::fs::write(
        skill.join("SKILL.md"),
        "---\nname: web-search\ndescription: Searches the web for recipes and cooking tips.\n---\n# Web search\n\nSearch the web.\n",
    )
    .unwrap();
    let mut lsp = Client::editor(&root);
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Finds recipes and cooking tips on the web"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    let mut offered = Vec::new();
    run_to_ready(&mut lsp, r["turn"].clone(), &sid, &mut |t| {
        if t["phase"] != "skills" {
            return None;
        }
        let options = t["options"].as_array().unwrap();
        offered = options.iter().map(|o| o["label"].clone()).collect();
        options
            .iter()
            .position(|o| o["label"] == "web-search")
            .map(|i| json!({"option": i}))
    });
    assert!(
        offered.contains(&json!("web-search")) && !offered.contains(&json!("lookup-web")),
        "{offered:?}"
    );
    let files = lsp.ok("forge.builder.assemble", json!({"session_id": sid}));
    let bot = path_of(files["files"][0].as_str().unwrap())
        .parent()
        .unwrap()
        .to_path_buf();
    let toml = std::fs::read_to_string(bot.join("skills.toml")).unwrap();
    assert!(toml.contains("web-search"), "{toml}");
    // Checked from the workspace root, so the workspace's skills are what the names resolve to.
    let out = Command::new(BIN)
        .args(["check", "--format", "json", "."])
        .current_dir(&root)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!report.contains("skills-toml-unknown-skill"), "{report}");
    lsp.stop();
}

#[test]
fn pipelined_answers_on_one_session_apply_in_arrival_order() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let sid = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": "Helps me cook"}),
    )["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    // The name takes free text; the questions after it are answered by option. Sent without
    // waiting, they only succeed if they are applied in the order they were sent.
    let mut ids = vec![lsp.send_exec(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"text": "Pip"}}),
    )];
    for _ in 0..6 {
        ids.push(lsp.send_exec(
            "forge.builder.answer",
            json!({"session_id": sid, "answer": {"option": 0}}),
        ));
    }
    for id in ids {
        let r = lsp.response(id);
        assert!(r.get("error").is_none(), "{r}");
    }
    let s = lsp.ok("forge.builder.session", json!({"session_id": sid}));
    assert_eq!(s["answers"][0]["answer"], "Pip", "{s}");
    assert_eq!(s["answers"].as_array().unwrap().len(), 7, "{s}");
    lsp.stop();
}

/// `root` as OpenClaw seeds a new workspace: the templates and BOOTSTRAP.md (the flow fixture's).
fn seed_openclaw_workspace(root: &Path) {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/builder/openclaw-bootstrap/before");
    for f in std::fs::read_dir(&seed).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), root.join(f.file_name())).unwrap();
    }
}

/// OpenClaw's first-run ritual through the editor: started on a freshly seeded workspace, each
/// question answered by applying its code action in the file it fills (and recording it), the
/// user's name typed, then assembled: the answers sit on the label lines and in SOUL.md's
/// sections, the user's own lines survive, BOOTSTRAP.md is deleted and `check` finds no error.
#[test]
fn openclaw_bootstrap_through_code_actions() {
    let (_dir, root) = workspace();
    seed_openclaw_workspace(&root);
    let mut lsp = Client::editor(&root);
    for f in ["IDENTITY.md", "USER.md", "SOUL.md"] {
        lsp.open_file(&root.join(f));
    }
    // Before any session, the lens offers to start the ritual.
    let lens = lsp.round_trip(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(&root.join("IDENTITY.md"))}}),
    );
    let cmd = &lens["result"][0]["command"];
    assert_eq!(cmd["command"], "forge.builder.start", "{lens}");
    assert_eq!(cmd["arguments"][0]["mode"], "openclaw-workspace");
    let r = lsp.ok("forge.builder.start", cmd["arguments"][0].clone());
    let sid = r["session_id"].as_str().unwrap().to_string();
    let mut turn = r["turn"].clone();
    let mut by_action = 0;
    for _ in 0..20 {
        if turn["action"] != "ask_question" {
            break;
        }
        let s = lsp.ok("forge.builder.session", json!({"session_id": sid}));
        let question = s["question_id"].as_str().unwrap().to_string();
        let file = match question.as_str() {
            "oc_user_name" | "oc_call_them" | "oc_timezone" => "USER.md",
            "oc_values" | "oc_boundaries" => "SOUL.md",
            _ => "IDENTITY.md",
        };
        let path = root.join(file);
        lsp.close_file(&path);
        lsp.open_file(&path);
        // Over the whole file: each answer is offered on the line it fills.
        let actions: Vec<Value> = code_actions_on(&mut lsp, &path, 0, 100)
            .into_iter()
            .filter(|a| a["kind"] == "refactor.rewrite")
            .collect();
        if question == "oc_user_name" {
            assert!(
                actions.is_empty(),
                "nothing to offer for a name: {actions:?}"
            );
            let r = lsp.ok(
                "forge.builder.answer",
                json!({"session_id": sid, "answer": {"text": "Ada Lovelace"}}),
            );
            turn = r["turn"].clone();
            continue;
        }
        // The offers in the other files are not this question's.
        let other = if file == "IDENTITY.md" {
            "USER.md"
        } else {
            "IDENTITY.md"
        };
        assert!(code_actions_on(&mut lsp, &root.join(other), 0, 100)
            .iter()
            .all(|a| a["kind"] != "refactor.rewrite"));
        let a = actions
            .first()
            .unwrap_or_else(|| panic!("no action for {question}"));
        assert!(a["title"].as_str().unwrap().starts_with("Forge · "), "{a}");
        apply_edit(&a["edit"]).unwrap();
        let r = lsp.ok("forge.builder.answer", a["command"]["arguments"][0].clone());
        turn = r["turn"].clone();
        by_action += 1;
    }
    assert_eq!(
        by_action, 8,
        "every question but the name answered in its file"
    );
    assert_eq!(turn["action"], "show_preview", "{turn}");
    let r = lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"confirm": true}}),
    );
    assert_eq!(r["turn"]["action"], "ready_to_assemble");
    assert_eq!(r["turn"]["workspace"]["user_name"], "Ada Lovelace");
    let done = lsp.ok("forge.builder.assemble", json!({"session_id": sid}));
    assert_eq!(done["deleted"], json!([uri(&root.join("BOOTSTRAP.md"))]));
    assert!(!root.join("BOOTSTRAP.md").exists());
    let identity = std::fs::read_to_string(root.join("IDENTITY.md")).unwrap();
    assert!(
        identity.contains("- **Name:** Clawd\n- **Creature:** AI assistant\n"),
        "{identity}"
    );
    assert!(
        identity.contains("This isn't just metadata."),
        "the user's lines stay"
    );
    let user = std::fs::read_to_string(root.join("USER.md")).unwrap();
    assert!(
        user.contains("- **Name:** Ada Lovelace\n- **What to call them:** Ada\n"),
        "{user}"
    );
    assert!(
        user.contains("- **Notes:** Prefers short answers."),
        "{user}"
    );
    let soul = std::fs::read_to_string(root.join("SOUL.md")).unwrap();
    assert!(soul.contains("## Core Truths\n\n- No filler"), "{soul}");
    assert!(soul.contains("## Continuity"), "{soul}");
    assert!(
        lsp.exec("forge.builder.session", json!({"session_id": sid}))
            .is_err(),
        "the draft is gone"
    );
    check_clean(&root);
    lsp.stop();
}

/// The ritual's pending question completes on the label line it fills (and only there): accepting
/// an item writes the line, drops the template's prompt under it and records the answer.
#[test]
fn openclaw_ritual_answers_complete_on_their_label_line() {
    let (_dir, root) = workspace();
    seed_openclaw_workspace(&root);
    let mut lsp = Client::editor(&root);
    let identity = root.join("IDENTITY.md");
    lsp.open_file(&identity);
    let r = lsp.ok("forge.builder.start", json!({"mode": "openclaw-workspace"}));
    let sid = r["session_id"].as_str().unwrap().to_string();
    let text = std::fs::read_to_string(&identity).unwrap();
    let line = |label: &str| text.lines().position(|l| l.starts_with(label)).unwrap() as u32;
    // On the Creature line: not the pending question's line, nothing from the builder.
    let elsewhere = completions(&mut lsp, &identity, line("- **Creature:**"), 15);
    assert!(elsewhere
        .iter()
        .all(|i| i["command"]["command"] != "forge.builder.answer"));
    let items = completions(&mut lsp, &identity, line("- **Name:**"), 11);
    let clawd = items
        .iter()
        .find(|i| i["label"] == "Clawd")
        .unwrap_or_else(|| panic!("no Clawd among {items:?}"));
    assert!(clawd["detail"]
        .as_str()
        .unwrap()
        .contains("What should your agent be called?"));
    accept(&identity, clawd);
    let after = std::fs::read_to_string(&identity).unwrap();
    assert!(
        after.contains("- **Name:** Clawd\n- **Creature:**\n"),
        "{after}"
    );
    assert!(!after.contains("pick something you like"), "{after}");
    lsp.ok(
        "forge.builder.answer",
        clawd["command"]["arguments"][0].clone(),
    );
    assert_answered(&mut lsp, &sid, "oc_name");
    lsp.stop();
}
