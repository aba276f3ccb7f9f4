use std::io::Write as _;
use std::process::ExitCode;

const HELP: &str = "forge-ls: a language server for Boternity bots and Agent Skills

usage:
  forge-ls [--stdio]          speak LSP over stdin/stdout until `exit`
  forge-ls check [--format human|json|sarif] [--profile auto|boternity|openclaw|agentskills]
                 [--changed [REF]] [--fix [--dry-run]] PATH...
                              validate every bot and skill file under PATH (and the
                              scripts and references skills bundle)
  forge-ls preview [--format text|json|raw] [--active SKILL]... [--model MODEL] PATH
                              print the system prompt the runtime assembles for a bot,
                              an OpenClaw workspace or a skill, with its token counts
  forge-ls acp [--settings FILE]
                              speak the Agent Client Protocol over stdin/stdout: the
                              builder as a chat (Zed, CodeCompanion, avante.nvim)
  forge-ls --version          print the version
  forge-ls --help             print this help

Logs go to stderr; set FORGE_LS_LOG (e.g. FORGE_LS_LOG=debug) for more.";

// Every file's analysis allocates and frees on all cores at once; with glibc's allocator that
// cost `check` on a large archive a tenth of its time (page faults, arenas).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("--stdio") => forge_ls::lsp::run_stdio(),
        Some("--version" | "-V") => {
            println!("forge-ls {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h" | "help") => {
            println!("{HELP}");
            ExitCode::SUCCESS
        }
        Some("acp") => forge_ls::acp::main(&args[1..]),
        Some("check") => subcommand(
            "check",
            forge_ls::check::parse_args(&args[1..]),
            forge_ls::check::USAGE,
            forge_ls::check::run,
        ),
        Some("preview") => subcommand(
            "preview",
            forge_ls::preview::parse_args(&args[1..]),
            forge_ls::preview::USAGE,
            forge_ls::preview::run,
        ),
        Some(other) => {
            eprintln!("forge-ls: unknown argument `{other}`\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}

/// Runs a parsed subcommand with stdout and stderr; `Err("")` from its parser asks for the usage.
fn subcommand<O>(
    name: &str,
    parsed: Result<O, String>,
    usage: &str,
    run: fn(&O, &mut dyn std::io::Write, &mut dyn std::io::Write) -> i32,
) -> ExitCode {
    match parsed {
        Ok(opts) => {
            // Buffered: stdout is line-buffered, and a report of a whole archive is tens of
            // thousands of lines, each a system call of its own.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            // stderr unlocked: a lock held for the whole run would stop any other thread that
            // writes to it (the check's workers) for good.
            let code = run(&opts, &mut out, &mut std::io::stderr());
            // A closed pipe (`| head`) is not the check's failure.
            let _ = out.flush();
            ExitCode::from(code as u8)
        }
        Err(msg) if msg.is_empty() => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("forge-ls {name}: {msg}\n{usage}");
            ExitCode::from(2)
        }
    }
}
