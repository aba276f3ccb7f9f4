//! `forge-ls preview PATH`: the system prompt a runtime assembles from a bot's files, with its
//! token counts, in a terminal (`forge_analysis::preview`, counted offline).

use std::io::Write;
use std::path::{Path, PathBuf};

use forge_analysis::preview::{self, Request, Target};
use forge_analysis::rules::Profile;
use forge_analysis::workspace::index::{self, ScanSpec};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The sections under headings with their counts (Markdown).
    Text,
    Json,
    /// The prompt alone, exactly as sent.
    Raw,
}

pub struct Options {
    pub format: Format,
    pub path: PathBuf,
    pub active: Vec<String>,
    pub model: Option<String>,
}

pub const USAGE: &str =
    "usage: forge-ls preview [--format text|json|raw] [--active SKILL]... [--model MODEL] PATH";

/// Parse `preview`'s arguments (after the word `preview`). `Err("")` asks for the usage.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut format = Format::Text;
    let mut path = None;
    let mut active = Vec::new();
    let mut model = None;
    crate::check::each_arg(args, |flag, value| {
        match flag {
            "--format" => {
                format = match value("--format")?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "raw" => Format::Raw,
                    other => {
                        return Err(format!("unknown format `{other}`: use text, json or raw"))
                    }
                }
            }
            "--active" => active.push(value("--active")?),
            "--model" => model = Some(value("--model")?),
            "-h" | "--help" => return Err(String::new()),
            f if f.starts_with('-') && f.len() > 1 => return Err(format!("unknown option `{f}`")),
            _ if path.is_some() => return Err("one PATH only".into()),
            p => path = Some(PathBuf::from(p)),
        }
        Ok(())
    })?;
    Ok(Options {
        format,
        path: path.ok_or("no PATH given")?,
        active,
        model,
    })
}

/// The index of the project around `path` and the skill library at `library`.
fn project_index(path: &Path, library: Option<&Path>) -> index::Index {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let folder = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map_or(path.to_path_buf(), Path::to_path_buf)
    };
    let root = forge_analysis::check::project_root(&folder, &cwd);
    let spec = ScanSpec {
        roots: vec![root],
        library: library.map(Path::to_path_buf),
        profile: Profile::Auto,
    };
    index::build(index::scan(&spec, &|_, _| {}))
}

/// The bot's name in the `boternity.db` of its data directory (`<root>/bots/<slug>`), if readable.
fn db_name(folder: &Path) -> Option<String> {
    use forge_store::soul_versions::{is_data_dir, load_dir, locate, DirState};
    let file = locate(&folder.join("SOUL.md"))?;
    if !is_data_dir(&file.root) {
        return None;
    }
    match load_dir(&file.root) {
        DirState::Ready(bots) => bots.get(&file.slug).map(|b| b.name.clone()),
        DirState::Off(_) => None,
    }
}

/// Run `preview`; returns the exit status (0 printed, 2 nothing to preview).
pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let path = index::normalize(&cwd.join(&opts.path));
    if !path.exists() {
        let _ = writeln!(
            err,
            "forge-ls preview: {}: no such file or directory",
            opts.path.display()
        );
        return 2;
    }
    let Some(target) = preview::target(&path) else {
        let _ = writeln!(
            err,
            "forge-ls preview: {} is not a file or folder of a bot, an OpenClaw workspace or a skill",
            opts.path.display()
        );
        return 2;
    };
    let library = index::library_root(None);
    let index = project_index(&path, library.as_deref());
    let req = Request {
        active: opts.active.clone(),
        name: match &target {
            Target::Bot(folder) => db_name(folder),
            _ => None,
        },
        ..Request::default()
    };
    let c = preview::count(
        preview::assemble(&index, &target, &req),
        opts.model.as_deref(),
    );
    let written = match opts.format {
        Format::Text => write!(out, "{}", c.markdown()),
        Format::Raw => writeln!(out, "{}", c.prompt.text),
        Format::Json => writeln!(out, "{}", c.to_json(&|p: &Path| p.display().to_string())),
    };
    if written.is_err() {
        return 1;
    }
    0
}
