//! One file-discovery policy: `forge-ls check`, the server's index and the builder's skill listing
//! see the same files on a tree with what trips walks up (docs/interface.md, "Which files").

use std::collections::BTreeSet;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn skill(dir: &Path, name: &str) {
    write(
        &dir.join("SKILL.md"),
        &format!("---\nname: {name}\ndescription: The {name} skill. Use it for tests.\n---\n\n# {name}\n"),
    );
}

#[test]
fn check_the_index_and_the_builder_see_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().canonicalize().unwrap();
    let root = base.join("ws");
    skill(&root.join("skills/kept"), "kept");
    skill(&root.join(".claude/skills/hidden"), "hidden");
    write(
        &root.join("bots/luna/IDENTITY.md"),
        "---\ndisplay_name: Luna\n---\n",
    );
    write(&root.join("bots/luna/SOUL.md"), "---\nname: Luna\n---\n");
    // Ignored by .gitignore, though no Git repository is here.
    write(&root.join(".gitignore"), "skills/ignored/\n");
    skill(&root.join("skills/ignored"), "ignored");
    // Folders no walk enters.
    skill(&root.join("node_modules/pkg/skill"), "skill");
    skill(&root.join(".venv/lib/tool"), "tool");
    // A link to a folder inside the root is followed; a loop and a link out of the root are not.
    symlink(root.join("skills/kept"), root.join("skills/linked")).unwrap();
    symlink(&root, root.join("skills/loop")).unwrap();
    skill(&base.join("elsewhere/outside"), "outside");
    symlink(base.join("elsewhere"), root.join("skills/out")).unwrap();

    let rel = |paths: Vec<PathBuf>| -> BTreeSet<String> {
        paths
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
            .collect()
    };
    let checked = rel(forge_analysis::check::discover(&root));
    let indexed = rel(forge_analysis::workspace::index::discover(&root));
    let want: BTreeSet<String> = [
        ".claude/skills/hidden/SKILL.md",
        "bots/luna/IDENTITY.md",
        "bots/luna/SOUL.md",
        "skills/kept/SKILL.md",
        "skills/linked/SKILL.md",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(checked, want, "check");
    assert_eq!(indexed, want, "index");
    let listed: BTreeSet<String> =
        forge_builder::service::workspace_skills(std::slice::from_ref(&root))
            .into_iter()
            .map(|s| s.name)
            .collect();
    // The builder lists skills by their manifest name (what skills.toml must name), once each.
    let skill_names: BTreeSet<String> = want
        .iter()
        .filter(|p| p.ends_with("SKILL.md"))
        .map(|p| {
            let text = std::fs::read_to_string(root.join(p)).unwrap();
            let line = text.lines().find_map(|l| l.strip_prefix("name: ")).unwrap();
            line.to_string()
        })
        .collect();
    assert_eq!(listed, skill_names, "the builder's skill listing");
    // The index answers single watched-file events with the same policy.
    assert!(forge_analysis::workspace::index::is_skipped(
        &root.join("node_modules/pkg/skill/SKILL.md")
    ));
}
