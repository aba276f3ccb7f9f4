use std::process::ExitCode;

const HELP: &str = "forge-ls: a language server for Boternity bots and Agent Skills

usage:
  forge-ls [--stdio]          speak LSP over stdin/stdout until `exit`
  forge-ls check [--format human|json|sarif] [--profile auto|boternity|openclaw|agentskills]
                 [--changed [REF]] [--fix [--dry-run]] PATH...
                              validate every bot and skill file under PATH (and the
                              scripts and references skills bundle)
  forge-ls --version          print the version
  forge-ls --help             print this help

Logs go to stderr; set FORGE_LS_LOG (e.g. FORGE_LS_LOG=debug) for more.";

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
        Some("check") => match forge_ls::check::parse_args(&args[1..]) {
            Ok(opts) => {
                let code = forge_ls::check::run(
                    &opts,
                    &mut std::io::stdout().lock(),
                    &mut std::io::stderr().lock(),
                );
                ExitCode::from(code as u8)
            }
            Err(msg) => {
                if msg.is_empty() {
                    println!("{}", forge_ls::check::USAGE);
                    return ExitCode::SUCCESS;
                }
                eprintln!("forge-ls check: {msg}\n{}", forge_ls::check::USAGE);
                ExitCode::from(2)
            }
        },
        Some(other) => {
            eprintln!("forge-ls: unknown argument `{other}`\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}
