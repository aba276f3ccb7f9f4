//! Spec §6 rule 43, second half: environment variables that the scripts
//! bundled with a skill read but the manifest does not declare. ClawHub's
//! security analysis compares the two. Files are only read, bounded in number
//! and size; binary files are skipped; nothing is run.

use std::collections::{BTreeMap, HashSet};

use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::frontmatter::Frontmatter;
use forge_syntax::yaml::Node;

use super::bundle::{self, Lang};

/// How each language reads a variable by name: the text before the name and
/// whether the name is quoted after it.
const READERS: &[(Lang, &str)] = &[
    (Lang::Python, "os.environ["),
    (Lang::Python, "os.environ.get("),
    (Lang::Python, "os.getenv("),
    (Lang::Python, "environ.get("),
    (Lang::Js, "process.env."),
    (Lang::Js, "process.env["),
    (Lang::Js, "Deno.env.get("),
];

/// Variables every system or shell sets: reading them declares nothing.
pub const AMBIENT: &[&str] = &[
    "HOME",
    "PATH",
    "PWD",
    "OLDPWD",
    "USER",
    "LOGNAME",
    "SHELL",
    "TERM",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TMPDIR",
    "TMP",
    "TEMP",
    "HOSTNAME",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "IFS",
    "PPID",
    "UID",
    "EUID",
    "RANDOM",
    "LINENO",
    "SECONDS",
    "OSTYPE",
    "SHLVL",
    "BASH_SOURCE",
    "BASH_VERSION",
    "BASH_REMATCH",
    "FUNCNAME",
    "PIPESTATUS",
    "OPTARG",
    "OPTIND",
    "COLUMNS",
    "LINES",
    "NODE_ENV",
    "CI",
    "DEBUG",
    "NO_COLOR",
    "FORCE_COLOR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "XDG_RUNTIME_DIR",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "SSH_AUTH_SOCK",
    "DISPLAY",
];

/// Each variable read and not declared, with where it is first read
/// (`scripts/x.sh:12`).
pub fn undeclared(files: &[bundle::BundleFile], declared: &[String]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for file in files.iter().filter(|f| f.lang.is_script()) {
        let Some(scan) = bundle::scan(file) else {
            continue;
        };
        for (line, name) in &scan.env_reads {
            if declared.iter().any(|d| d == name) || AMBIENT.contains(&name.as_str()) {
                continue;
            }
            if !out.contains_key(name) {
                out.insert(name.clone(), format!("{}:{}", file.rel, line + 1));
            }
        }
    }
    out
}

/// What a script reads from the environment and does not set itself: (line of the first read,
/// variable), each variable once, in order.
pub(crate) fn env_reads(text: &str, lang: Lang) -> Vec<(usize, String)> {
    let assigned = if lang == Lang::Shell {
        shell_assigned(text)
    } else {
        HashSet::new()
    };
    let mut seen = HashSet::new();
    reads(text, lang)
        .into_iter()
        .filter(|(_, name)| !assigned.contains(name) && seen.insert(*name))
        .map(|(line, name)| (line, name.to_string()))
        .collect()
}

fn is_var_start(b: u8) -> bool {
    b.is_ascii_uppercase() || b == b'_'
}

fn is_var(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
}

/// The upper-case name at the start of `s` (environment variables are
/// upper-case by convention; lower-case shell names are script locals).
fn name_at(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    if !b.first().copied().is_some_and(is_var_start) {
        return None;
    }
    let end = b.iter().position(|c| !is_var(*c)).unwrap_or(b.len());
    Some(&s[..end]).filter(|n| n.bytes().any(|c| c.is_ascii_uppercase()))
}

/// The readers of `READERS` for Python and for JavaScript, each language's found in one pass
/// over a script.
static READER_SEARCH: std::sync::LazyLock<[aho_corasick::AhoCorasick; 2]> =
    std::sync::LazyLock::new(|| {
        [Lang::Python, Lang::Js].map(|lang| {
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(READERS.iter().filter(|(l, _)| *l == lang).map(|(_, r)| r))
                .expect("env readers")
        })
    });

/// (line, name) of each variable read in `text`, in order. The text is searched whole, not
/// line by line: a script is mostly lines without a read.
fn reads(text: &str, lang: Lang) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    // (byte offset where the name starts, where the read starts)
    let places: Vec<(usize, usize)> = match lang {
        Lang::Markdown => return out,
        Lang::Shell => memchr::memchr_iter(b'$', b)
            .map(|at| (at + 1 + usize::from(b.get(at + 1) == Some(&b'{')), at))
            .collect(),
        Lang::Python | Lang::Js => READER_SEARCH[usize::from(lang == Lang::Js)]
            .find_iter(text)
            .map(|m| {
                let rest = &text[m.end()..];
                let quotes = rest.len() - rest.trim_start_matches(['"', '\'', '`']).len();
                (m.end() + quotes, m.start())
            })
            .collect(),
    };
    let comment = if lang == Lang::Js { "//" } else { "#" };
    // The line of the last place, counted as the places go.
    let (mut line, mut counted, mut line_start) = (0, 0, 0);
    for (name_at_byte, at) in places {
        let Some(n) = name_at(&text[name_at_byte..]) else {
            continue;
        };
        for nl in memchr::memchr_iter(b'\n', &b[counted..at]) {
            line += 1;
            line_start = counted + nl + 1;
        }
        counted = at;
        // A commented-out read: its line starts with the comment marker (the read itself is
        // not blank, so the trimmed rest of the text starts where the line's text does).
        if text[line_start..].trim_start().starts_with(comment) {
            continue;
        }
        out.push((line, n));
    }
    out
}

/// Names a shell script sets itself (`NAME=`, `export NAME=`, `read NAME`,
/// `for NAME in`): reading those is not reading the environment.
fn shell_assigned(text: &str) -> HashSet<&str> {
    let mut out = HashSet::new();
    let words = text
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(')
        .filter(|w| !w.is_empty());
    let mut prev = "";
    for w in words {
        // A byte search: `split_once` sets up a char searcher per word.
        if let Some(n) = w.bytes().position(|c| c == b'=').map(|at| &w[..at]) {
            if name_at(n).is_some_and(|m| m.len() == n.len()) {
                out.insert(n);
            }
        }
        if matches!(prev, "for" | "read" | "-r" | "local" | "declare" | "export") {
            if let Some(n) = name_at(w).filter(|n| n.len() == w.len()) {
                out.insert(n);
            }
        }
        prev = w;
    }
    out
}

/// Every variable name the frontmatter declares: `requires.env`, `primaryEnv`
/// and `envVars` (strings or `{name}`), in the manifest under any namespace or
/// at the top level (which ClawHub reads).
pub fn declared(text: &str, root: &Node) -> Vec<String> {
    let mut out = Vec::new();
    let meta = root
        .get("metadata")
        .and_then(|m| super::openclaw_manifest::resolved(text, m));
    let mut places = vec![root];
    if let Some(m) = meta.as_deref() {
        for ns in crate::dialect::OPENCLAW_NAMESPACES {
            if let Some(e) = m.get(ns) {
                places.push(&e.value);
            }
        }
    }
    for p in places {
        let env = p.get("requires").and_then(|r| r.value.get("env"));
        for key in [env, p.get("primaryEnv"), p.get("envVars"), p.get("env")]
            .into_iter()
            .flatten()
        {
            collect_names(&key.value, &mut out);
        }
    }
    out
}

fn collect_names(node: &Node, out: &mut Vec<String>) {
    if let Some(items) = node.as_seq() {
        for i in items {
            match i.get("name") {
                Some(n) => collect_names(&n.value, out),
                None => collect_names(i, out),
            }
        }
    } else if let Some(s) = node.as_str() {
        out.extend(
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
    }
}

/// Rule 43: one note listing what the bundled scripts read undeclared.
/// `files`: the skill's bundled files ([`bundle::files`]).
pub fn check(
    files: &[bundle::BundleFile],
    text: &str,
    fm: &Frontmatter,
    root: Option<&Node>,
    diags: &mut Vec<Diagnostic>,
) {
    let declared = root.map(|r| declared(text, r)).unwrap_or_default();
    let found = undeclared(files, &declared);
    if found.is_empty() {
        return;
    }
    let list: Vec<String> = found
        .iter()
        .take(10)
        .map(|(n, at)| format!("`{n}` ({at})"))
        .collect();
    let more = found.len().saturating_sub(10);
    let range = root
        .and_then(|r| r.get("metadata"))
        .map_or(fm.open.clone(), |e| e.key.span.clone());
    diags.push(Diagnostic::new(&codes::OPENCLAW_ENV_UNDECLARED, range, format!(
        "The bundled scripts read {}{} but the skill does not declare {}; list {} in `metadata.openclaw.requires.env`, so OpenClaw can gate on {} and ClawHub's security review sees {} declared.",
        list.join(", "),
        if more > 0 { format!(" and {more} more") } else { String::new() },
        if found.len() == 1 { "it" } else { "them" },
        if found.len() == 1 { "it" } else { "them" },
        if found.len() == 1 { "it" } else { "them" },
        if found.len() == 1 { "it" } else { "them" },
    )));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_by_language() {
        let sh =
            "#!/bin/sh\n# $IGNORED\nOUT=x\ncurl -H \"$API_KEY\" ${BASE_URL:-x} $OUT $HOME $lower\n";
        let names: Vec<&str> = reads(sh, Lang::Shell).into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["API_KEY", "BASE_URL", "OUT", "HOME"]);
        assert_eq!(shell_assigned(sh), HashSet::from(["OUT"]));
        let py = "import os\nk = os.environ[\"TOKEN\"]\nu = os.getenv('URL', 'x')\n";
        let names: Vec<&str> = reads(py, Lang::Python)
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(names, ["TOKEN", "URL"]);
        let js = "const k = process.env.KEY;\n// process.env.NO\nconst b = process.env['B_URL'];\n";
        let names: Vec<&str> = reads(js, Lang::Js).into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["KEY", "B_URL"]);
    }

    #[test]
    fn a_changed_script_is_read_again() {
        let tmp = tempfile::tempdir().unwrap();
        let script = tmp.path().join("scripts/run.sh");
        std::fs::create_dir_all(script.parent().unwrap()).unwrap();
        let names = |declared: &[String]| -> Vec<String> {
            undeclared(&bundle::files(tmp.path()), declared)
                .into_keys()
                .collect()
        };
        std::fs::write(&script, "curl \"$API_KEY\"\n").unwrap();
        assert_eq!(names(&[]), ["API_KEY"]);
        assert!(names(&["API_KEY".into()]).is_empty());
        // Same size, another variable: the modification time tells.
        std::fs::write(&script, "curl \"$API_KEZ\"\n").unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&script)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(names(&[]), ["API_KEZ"]);
        std::fs::write(&script, "OUT=1\necho $OUT $TOKEN\n").unwrap();
        assert_eq!(names(&[]), ["TOKEN"]);
    }
}
