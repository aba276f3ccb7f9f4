//! The security rules that are patterns: what a piece of text looks like and what it means.
//! Each row is one regular expression (Rust `regex` syntax), the code it reports, the severity
//! when it differs from the code's, and what the text does and why it matters (the message).
//!
//! The patterns describe behaviour seen in malicious skills pulled from registries (hidden
//! instructions, `curl | bash` installers, credential theft) and in the public write-ups of
//! those campaigns; what ordinary integrations do (call their own API with a key from the
//! environment, install with a vendor's official script) must not match. `table_is_quiet_on_benign`
//! in `security/mod.rs` and the benign corpus under `tests/fixtures/security-benign/` hold them
//! to that.

use forge_syntax::codes::{self, Code};
use forge_syntax::diagnostic::Severity;

pub struct Rule {
    pub code: &'static Code,
    /// `None`: the code's default severity.
    pub severity: Option<Severity>,
    pub pattern: &'static str,
    /// What the matched text does and why it matters; `{}` is replaced by the matched text.
    pub what: &'static str,
    /// Only in scripts: in Markdown the text is usually documentation of the thing.
    pub scripts_only: bool,
    /// A match on a line that also matches this is not reported (what makes the line benign).
    pub unless: Option<&'static str>,
    /// Phrases: not reported when quoted (`"ignore previous instructions"`), which is
    /// mentioning them (a detector's pattern list, a write-up), not saying them.
    pub phrase: bool,
}

const fn rule(code: &'static Code, pattern: &'static str, what: &'static str) -> Rule {
    Rule {
        code,
        severity: None,
        pattern,
        what,
        scripts_only: false,
        unless: None,
        phrase: false,
    }
}

const fn error(code: &'static Code, pattern: &'static str, what: &'static str) -> Rule {
    Rule {
        severity: Some(Severity::Error),
        ..rule(code, pattern, what)
    }
}

const fn warning(code: &'static Code, pattern: &'static str, what: &'static str) -> Rule {
    Rule {
        severity: Some(Severity::Warning),
        ..rule(code, pattern, what)
    }
}

const fn phrase(code: &'static Code, pattern: &'static str, what: &'static str) -> Rule {
    Rule {
        phrase: true,
        ..rule(code, pattern, what)
    }
}

const fn in_scripts(r: Rule) -> Rule {
    Rule {
        scripts_only: true,
        ..r
    }
}

const fn unless(r: Rule, benign: &'static str) -> Rule {
    Rule {
        unless: Some(benign),
        ..r
    }
}

/// Places that hold credentials, keys or wallets (a regex alternation).
macro_rules! secret_store {
    () => {
        r"(?:~|\$HOME|\$\{HOME\}|\.expanduser\([^)\n]*)?/?\.ssh/(?:id_[a-z0-9]+|identity|authorized_keys)|~/\.ssh\b|\$HOME/\.ssh\b|\.aws/credentials|~/\.aws\b|\.gnupg|\.kube/config|\.docker/config\.json|\.git-credentials|\.netrc\b|/etc/shadow|Login Data|Cookies\.sqlite|cookies\.sqlite|Local Storage/leveldb|wallet\.dat|\.electrum|\.ethereum/keystore|Exodus/exodus\.wallet|nkbihfbeogaeaoehlefnkodbefgpgknn|Keychains/login\.keychain|\.config/solana/id\.json"
    };
}

/// The whole environment serialized (a regex alternation). Blanks, not `\s`: the exfiltration
/// rule is one line, and searched only in the lines with its literals.
macro_rules! env_dump {
    () => {
        r"\benv[ \t]*\||\bprintenv[ \t]*\||\$\((?:env|printenv)\)|`(?:env|printenv)`|json\.dumps\([ \t]*(?:dict\()?os\.environ|dict\([ \t]*os\.environ[ \t]*\)|str\([ \t]*os\.environ[ \t]*\)|JSON\.stringify\([ \t]*process\.env[ \t]*\)|Object\.entries\([ \t]*process\.env[ \t]*\)|\{[ \t]*\.\.\.process\.env[ \t]*\}"
    };
}

/// Sending data over the network (a regex alternation), on one line like the environment above.
macro_rules! network_send {
    () => {
        r"\bcurl\b[^\n]*?(?:[ \t]-d\b|[ \t]--data|[ \t]-F\b|[ \t]--form|[ \t]-T\b|[ \t]--upload-file)|\bwget\b[^\n]*--post|requests\.(?:post|put)\(|httpx\.(?:post|put)\(|\baxios\.(?:post|put)\(|\bfetch\([^\n]*method:[ \t]*['\x22](?:POST|PUT)|\bnc[ \t]+[\w.-]+[ \t]+\d+|Invoke-RestMethod|Invoke-WebRequest|urllib\.request\.urlopen\([^\n]*data="
    };
}

/// What the two rules about forged prompts say: a chat-template marker, a new-system-prompt
/// heading.
const FORGED_PROMPT: &str = "`{}` forges a chat-template marker or a new system prompt, so the text reads to the model as if it came from its operator.";

pub static RULES: &[Rule] = &[
    // Instructions aimed at the model.
    phrase(
        &codes::SECURITY_PROMPT_OVERRIDE,
        r"(?i)\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+)?(?:previous|prior|above|earlier|preceding|original|system)\s+(?:instructions|prompts?|rules|directions|guidelines|messages)",
        "`{}` tells the model to drop the instructions it was given, the classic prompt injection; a skill has no reason to say it.",
    ),
    phrase(
        &codes::SECURITY_PROMPT_OVERRIDE,
        r"(?i)\b(?:you\s+are\s+now|act\s+as|pretend\s+to\s+be|from\s+now\s+on\s+you\s+are)\s+(?:an?\s+)?(?:DAN\b|jailbroken|unrestricted|unfiltered|uncensored|in\s+developer\s+mode|an?\s+AI\s+without\s+(?:rules|restrictions))",
        "`{}` is jailbreak role-play framing: it asks the model to behave as if its rules did not apply.",
    ),
    phrase(
        &codes::SECURITY_PROMPT_OVERRIDE,
        r"(?i)\b(?:bypass|disable|ignore|override)\s+(?:all\s+|any\s+)?(?:your\s+|the\s+)?(?:safety|content|security)\s+(?:guidelines|filters|policies|restrictions|rules|checks)",
        "`{}` asks the model to switch off its safety rules.",
    ),
    phrase(
        &codes::SECURITY_PROMPT_OVERRIDE,
        r"(?i)<\|im_start\|>\s*system|\[/?INST\]|<<SYS>>",
        FORGED_PROMPT,
    ),
    // A heading is one line: searched only in the lines that say `prompt`, where as a branch
    // of the markers above every `#` of every Markdown file started a search.
    phrase(
        &codes::SECURITY_PROMPT_OVERRIDE,
        r"(?i)#+[ \t]*new[ \t]+system[ \t]+prompt\b",
        FORGED_PROMPT,
    ),
    // Hiding things from the user.
    phrase(
        &codes::SECURITY_CONCEAL,
        r"(?i)\b(?:do\s+not|don't|never)\s+(?:tell|inform|notify|alert|mention\s+to)\s+(?:the\s+)?(?:user|human|operator|owner)\s+(?:that|about|what|you|we|it|this|when|how|where|anything)\b|\b(?:do\s+not|don't|never)\s+let\s+(?:the\s+)?(?:user|human|operator|owner)\s+(?:know|see|notice|find\s+out)\b",
        "`{}` tells the model to keep the user in the dark about what it does; what a skill does should be visible to the person running it.",
    ),
    phrase(
        &codes::SECURITY_CONCEAL,
        r"(?i)\bwithout\s+(?:the\s+)?(?:user|human|operator|owner)(?:'s)?\s+(?:knowing|knowledge|noticing|being\s+aware|awareness)",
        "`{}` asks the model to act behind the user's back.",
    ),
    phrase(
        &codes::SECURITY_CONCEAL,
        r"(?i)\b(?:hide|conceal|keep)\s+(?:this|it|these|that|the\s+\w+)\s+(?:hidden\s+|secret\s+)?from\s+(?:the\s+)?(?:user|human|operator|owner)\b",
        "`{}` asks the model to hide something from the user.",
    ),
    phrase(
        &codes::SECURITY_CONCEAL,
        r"(?i)\b(?:silently|secretly|covertly|quietly|stealthily)\s+(?:send|upload|post|exfiltrate|forward|copy|transmit|install|download\s+and\s+run)\b",
        "`{}` asks the model to move data or install software without saying so.",
    ),
    // Data exfiltration.
    error(
        &codes::SECURITY_EXFILTRATION,
        concat!(
            r"(?:",
            secret_store!(),
            r"|",
            env_dump!(),
            r")[^\n]*(?:",
            network_send!(),
            r")|(?:",
            network_send!(),
            r")[^\n]*(?:",
            secret_store!(),
            r"|",
            env_dump!(),
            r")"
        ),
        "`{}` sends credentials, keys or the whole environment to another machine; a skill never needs to ship these off the computer.",
    ),
    error(
        &codes::SECURITY_EXFILTRATION,
        r"\bcurl\b[^\n]*(?:-F|--form|-d|--data(?:-binary)?|-T|--upload-file)\s*['\x22]?[\w-]*=?@[^\s'\x22]*(?:\.env\b|\.ssh/|\.aws/|\.npmrc|\.pypirc|id_rsa|id_ed25519)",
        "`{}` uploads a credentials file.",
    ),
    // One line, its words included: then it is searched only in the lines that hold its words.
    error(
        &codes::SECURITY_EXFILTRATION,
        r"(?i)\b(?:send|upload|post|forward|transmit|exfiltrate|copy)\b[^\n]{0,80}?(?:~/\.ssh|~/\.aws|\bprivate[ \t]+keys?|\bssh[ \t]+keys?|\bcredentials|\bapi[ \t]+keys|\bseed[ \t]+phrases?|\bwallet|\benvironment[ \t]+variables|\.env[ \t]+file|\bpasswords)\b[^\n]{0,80}?(?:https?://|\bwebhook\b)",
        "`{}` instructs the model to send secrets to an outside address.",
    ),
    error(
        &codes::SECURITY_EXFILTRATION,
        r"\b(?:nslookup|dig|host)\s+[^\n;|]*\$\((?:whoami|hostname|id|cat|env|printenv|base64|uname)",
        "`{}` packs local data into a DNS name: DNS exfiltration, which gets past most firewalls.",
    ),
    in_scripts(warning(
        &codes::SECURITY_EXFILTRATION,
        concat!(r"(?:", secret_store!(), r")"),
        "`{}` reads a store of keys, credentials or wallets; a script that reads it can hand the secrets to anyone it talks to.",
    )),
    rule(
        &codes::SECURITY_EXFIL_ENDPOINT,
        r"(?i)\b(?:webhook\.site|requestbin\.(?:com|net)|pipedream\.net|hookbin\.com|beeceptor\.com|requestcatcher\.com|interact\.sh|oast\.(?:pro|live|site|online|fun|me)|burpcollaborator\.net|canarytokens\.com|pastebin\.com|paste\.ee|hastebin\.com|ghostbin\.\w+|transfer\.sh|file\.io|0x0\.st|termbin\.com)\b",
        "`{}` is a request catcher or paste site: anyone can read what is sent there, and stolen data usually goes to one.",
    ),
    // Remote code.
    rule(
        &codes::SECURITY_REMOTE_CODE,
        r"\b(?:curl|wget)\b[^\n|;&]*(?:https?://)?(?P<host>[\w.-]+\.(?:[a-z]{2,}|\d{1,3}))[^\n|;&]*\|\s*(?:sudo\s+(?:-\w+\s+)*)?(?:env\s+\S+=\S*\s+)*(?:ba|z|da|k|fi)?sh\b|\b(?:curl|wget)\b[^\n|;&]*(?:https?://)?(?P<host2>[\w.-]+\.(?:[a-z]{2,}|\d{1,3}))[^\n|;&]*\|\s*(?:sudo\s+)?(?:python[0-9.]*|perl|ruby|node)\s*(?:$|[;&)|]|-\s|-$)|\b(?:irm|iwr|Invoke-WebRequest|Invoke-RestMethod)\b[^\n|]*(?P<host3>[\w.-]+\.(?:[a-z]{2,}|\d{1,3}))[^\n|]*\|\s*iex\b",
        "`{}` runs whatever the server sends, unseen and unverified; a changed or hijacked script runs with your rights.",
    ),
    rule(
        &codes::SECURITY_REMOTE_CODE,
        r"\b(?:ba|z)?sh\s+(?:-c\s+)?['\x22]?\$\(\s*(?:curl|wget)\b[^\n)]*(?:https?://)?(?P<host>[\w.-]+\.(?:[a-z]{2,}|\d{1,3}))|\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)\b[^\n)]*(?:https?://)?(?P<host2>[\w.-]+\.(?:[a-z]{2,}|\d{1,3}))",
        "`{}` runs whatever the server sends, unseen and unverified; a changed or hijacked script runs with your rights.",
    ),
    rule(
        &codes::SECURITY_REMOTE_CODE,
        r"\b(?:curl|wget)\b[^\n]*\s(?:-o|-O|--output)\s*(?P<file>/tmp/[\w./-]+|\$TMPDIR/[\w./-]+)[^\n]*(?:&&|;)\s*(?:chmod\s+\+x\s+\S+\s*(?:&&|;)\s*)?(?:\.?/tmp/|\$TMPDIR/|(?:ba)?sh\s+/tmp/)",
        "`{}` downloads a program to a temporary folder and runs it: download and execute, the usual first stage of a malware loader.",
    ),
    error(
        &codes::SECURITY_REMOTE_CODE,
        r"\beval\s+['\x22]?\$\(\s*(?:curl|wget)\b|\b(?:exec|eval)\s*\(\s*(?:requests\.get|urllib\.request\.urlopen|urlopen|httpx\.get|await\s+fetch|\(\s*await\s+fetch)|\biex\s*\(\s*(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod|New-Object\s+Net\.WebClient)|new\s+Function\s*\(\s*await\b",
        "`{}` evaluates code fetched from the network: whoever controls that server runs code on this machine.",
    ),
    error(
        &codes::SECURITY_REMOTE_CODE,
        r"\b(?:exec|eval)\s*\(\s*(?:base64\.b64decode|b64decode|codecs\.decode|bytes\.fromhex|zlib\.decompress|marshal\.loads|atob\(|Buffer\.from\()|\bnew\s+Function\s*\(\s*atob|\bbase64\s+(?:-d|--decode|-D)\b[^\n]*\|\s*(?:ba|z)?sh\b|powershell(?:\.exe)?\s+[^\n]*-(?:e|enc|encodedcommand)\s+[A-Za-z0-9+/=]{16,}",
        "`{}` decodes hidden code and runs it: a multi-stage loader that keeps its payload out of sight.",
    ),
    rule(
        &codes::SECURITY_UNSAFE_DESERIALIZE,
        r"\b(?:pickle|cPickle|dill|joblib)\.loads?\([^\n]*(?:requests\.|urlopen|httpx\.|\.content\b|\.recv\(|response|resp\b)|\bmarshal\.loads\(",
        "`{}` unpickles or unmarshals data that can run code as it is loaded; from the network it is remote code execution.",
    ),
    // Reverse shells.
    rule(
        &codes::SECURITY_REVERSE_SHELL,
        r"\b(?:ba)?sh\s+-i\s*[<>]&\s*/dev/(?:tcp|udp)/|/dev/tcp/[\w.-]+/\d+\s+0>&1|\b(?:nc|ncat|netcat)\b[^\n|;]*[ \t]-[ec][ \t]+/?(?:bin/)?(?:ba)?sh\b|\bsocat\b[^\n]*\bexec:[^\n]*(?:ba)?sh|mkfifo\s+\S+[^\n]*\|\s*(?:nc|ncat)\b|os\.dup2\(\s*\w+\.fileno\(\)\s*,\s*[012]\s*\)|pty\.spawn\(\s*['\x22]/bin/(?:ba)?sh|child_process[^\n]*\bspawn\(\s*['\x22]/bin/(?:ba)?sh['\x22][^\n]*(?:socket|net\.)",
        "`{}` connects a shell to a remote host: a reverse shell gives whoever listens there full control of this machine.",
    ),
    warning(
        &codes::SECURITY_REVERSE_SHELL,
        r"/dev/(?:tcp|udp)/[\w.$-]+/",
        "`{}` opens a raw network connection from the shell, a building block of reverse shells.",
    ),
    // Persistence.
    unless(
        rule(
            &codes::SECURITY_PERSISTENCE,
            r"\(\s*crontab\s+-l[^\n]*\|\s*crontab\s+-|\bcrontab\s+[\w./-]+\.(?:txt|cron)\b|>>?\s*/etc/cron|>>?\s*(?:~|\$HOME|\$\{HOME\})/\.(?:bashrc|zshrc|bash_profile|profile|zprofile|zshenv|config/fish/config\.fish)\b|CurrentVersion\\+Run\b|/etc/rc\.local",
            "`{}` makes something start again on its own (at login, on a schedule, at boot); removing the skill does not remove it.",
        ),
        // Shell setup that install guides add to rc files: PATH, aliases, completions.
        r"(?i)\b(?:export|alias|source|completion|PATH|eval\s+\W*\$\(\S+\s+(?:init|env|shellenv|activate))\b|\.\s+[~$]",
    ),
    in_scripts(rule(
        &codes::SECURITY_PERSISTENCE,
        r"Library/Launch(?:Agents|Daemons)/|\blaunchctl\s+(?:load|bootstrap)\b|/etc/systemd/system/|\.config/systemd/user/|\bsystemctl\s+(?:--user\s+)?enable\b|\.config/autostart/",
        "`{}` installs a service that starts on its own at login or boot; removing the skill does not remove it.",
    )),
    unless(
        error(
            &codes::SECURITY_PERSISTENCE,
            r">>?\s*(?:~|\$HOME|\$\{HOME\}|/root)/\.ssh/authorized_keys",
            "`{}` adds a key to `authorized_keys`: a backdoor that lets someone log in to this machine.",
        ),
        // The user's own public key sent to a server they log in to (`ssh-copy-id` by hand).
        r"\bid_\w+\.pub\b|\bssh\s+(?:-\w+\s+\S+\s+)*[\w.-]+@",
    ),
    // Evasion. An `if` and what it tests on one line (blanks, not `\s`): then the rule is
    // searched only in the lines that hold its literals, not from every `if` of a file.
    rule(
        &codes::SECURITY_EVASION,
        r"\bif\b[^\n]*(?:\$\([ \t]*date[ \t]+\+%[sY][^)\n]*\)|datetime\.(?:now|today|utcnow)\(\)|\bDate\.now\(\)|new[ \t]+Date\(\))[^\n]*(?:-gt|-ge|-lt|-le|[<>]=?)[ \t]*(?:\d{8,10}\b|datetime\([ \t]*20\d\d|new[ \t]+Date\([ \t]*['\x22]?20\d\d|['\x22]?20\d\d-?\d\d-?\d\d)",
        "`{}` changes behaviour after a date: a time bomb, so that the skill looks harmless when reviewed.",
    ),
    rule(
        &codes::SECURITY_EVASION,
        r"\bif\b[^\n]*(?:/\.dockerenv|VBOX|VirtualBox|VMware|vmware|QEMU|qemu|hypervisor|sys\.gettrace\(\)|IsDebuggerPresent|\bSANDBOX\b|cuckoo|any\.run|joe[ \t]*sandbox)",
        "`{}` checks whether it runs in a sandbox, VM or debugger: code that hides from analysis does something it does not want seen.",
    ),
];

/// Installers run with `curl … | sh` from these hosts are the vendors' own documented ones;
/// piping them to a shell is how their docs say to install, so it is not reported.
pub static TRUSTED_INSTALLERS: &[&str] = &[
    "sh.rustup.rs",
    "static.rust-lang.org",
    "astral.sh",
    "bun.sh",
    "deno.land",
    "deno.com",
    "get.docker.com",
    "raw.githubusercontent.com/Homebrew",
    "brew.sh",
    "ollama.com",
    "ollama.ai",
    "get.pnpm.io",
    "install.python-poetry.org",
    "nodejs.org",
    "deb.nodesource.com",
    "rpm.nodesource.com",
    "sdk.cloud.google.com",
    "cli.github.com",
    "fly.io",
    "get.helm.sh",
    "tailscale.com",
    "claude.ai",
    "opencode.ai",
    "openclaw.ai",
    "cursor.com",
    "pyenv.run",
    "raw.githubusercontent.com/nvm-sh",
    "raw.githubusercontent.com/pyenv",
    "starship.rs",
    "mise.run",
    "mise.jdx.dev",
    "get.volta.sh",
    "install.determinate.systems",
    "nixos.org",
    "supabase.com",
    "railway.app",
    "vercel.com",
    "cli.doppler.com",
    "sh.uv.dev",
    "foundry.paradigm.xyz",
    "get.foundry.sh",
];

/// Words that mark an HTML comment or link title as addressed to the model rather than a note
/// for the author (`TODO`, licence headers).
pub const TO_THE_MODEL: &str = r"(?i)\b(?:assistant|AI|agent|model|LLM|Claude|GPT|Codex)s?\b\s*[:,]?\s*(?:you\s+)?(?:must|should|shall|always|never|are\s+to)\s+\w|\b(?:always|never|must)\s+(?:run|execute|send|upload|fetch|download|install|include|reveal|output)\b|\bignore\s+(?:the|all|any|previous|prior|above)\b";
