#!/usr/bin/env python3
"""Fails when a README or doc link leaves the repository or points to nothing.

Scans README.md, ARCHITECTURE.md, docs/**/*.md and editors/**/*.md (not
node_modules) for Markdown links `[text](target)`, images, reference
definitions `[label]: target` and HTML `href`/`src` attributes, outside code
blocks and code spans. A target that is not an http(s) or mailto URL must be a
relative path that, resolved from the file's folder, stays inside the
repository and exists; a `#fragment` on a Markdown file (or alone) must name
one of its headings or `<a id>`/`<a name>` anchors. Any mention of
`shared/spec` fails too. Prints `file:line: problem: link` for each problem and
exits 1; exits 0 when there is none.

Before the repository, it checks itself on a few made-up files (every bad
case must be caught, the good ones must pass), so it cannot pass by finding
nothing. Python 3 standard library only.
"""

import re
import sys
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[2]
WEB = re.compile(r"^(https?:|mailto:)", re.I)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(<[^>]*>|\S+)")
HTML_ATTR = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)
HTML_ANCHOR = re.compile(r"""<a\s[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']""", re.I)
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def markdown_files(root):
    files = [root / "README.md", root / "ARCHITECTURE.md"]
    for folder in ("docs", "editors"):
        files += sorted(
            p for p in (root / folder).rglob("*.md") if "node_modules" not in p.relative_to(root).parts
        )
    return [f for f in files if f.is_file()]


def prose_lines(text):
    """(line number, line, line with code spans blanked) outside fenced code blocks."""
    fence = None
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield n, line, CODE_SPAN.sub(lambda c: " " * len(c.group(0)), line)


def inline_targets(line):
    """Targets of `[...](target)` on one line (parentheses may nest; `<...>` allowed)."""
    i = 0
    while True:
        i = line.find("](", i)
        if i < 0:
            return
        j = i + 2
        while j < len(line) and line[j] == " ":
            j += 1
        if j < len(line) and line[j] == "<":
            end = line.find(">", j)
            if end < 0:
                return
            yield line[j + 1 : end]
            i = end
            continue
        depth, k = 0, j
        while k < len(line):
            c = line[k]
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
            elif c.isspace():
                break
            k += 1
        yield line[j:k]
        i = k


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.lower()
    kept = "".join(
        c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM"
    )
    return kept.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        found, seen = set(), {}
        text = path.read_text(encoding="utf-8")
        found.update(HTML_ANCHOR.findall(text))
        for _, line, _ in prose_lines(text):
            m = HEADING.match(line)
            if m:
                base = slug(m.group(2))
                count = seen.get(base, 0)
                seen[base] = count + 1
                found.add(base if count == 0 else f"{base}-{count}")
        cache[path] = found
    return cache[path]


def check_target(root, md, target):
    """The problem with one link target, or None."""
    target = target.strip()
    if not target or WEB.match(target):
        return None
    if SCHEME.match(target):
        return "not a web link or a repository file"
    path_part, _, fragment = target.partition("#")
    path_part = unquote(path_part.split("?", 1)[0])
    if not path_part:
        dest = md
    elif path_part.startswith("/") or path_part.startswith("~"):
        return "absolute path (outside the repository)"
    else:
        dest = (md.parent / path_part).resolve()
        try:
            dest.relative_to(root)
        except ValueError:
            return "outside the repository"
        if not dest.exists():
            return "no such file"
    if fragment and dest.is_file() and dest.suffix == ".md":
        if unquote(fragment) not in anchors(dest):
            return f"no anchor #{fragment} in {dest.relative_to(root)}"
    return None


def check(root, files):
    root = root.resolve()
    problems, links = [], 0
    for md in files:
        md = md.resolve()
        rel = md.relative_to(root)
        text = md.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            if "shared/spec" in line:
                problems.append(f"{rel}:{n}: mentions shared/spec (outside the repository): {line.strip()}")
        for n, _, line in prose_lines(text):
            targets = list(inline_targets(line))
            m = REF_DEF.match(line)
            if m:
                targets.append(m.group(2).strip("<>"))
            targets += HTML_ATTR.findall(line)
            for t in targets:
                links += 1
                why = check_target(root, md, t)
                if why:
                    problems.append(f"{rel}:{n}: {why}: {t}")
    return problems, links


def self_test():
    """The checker on made-up files: each bad link is caught, the good ones pass."""
    bad = {
        "../outside.md": "outside the repository",
        "../../elsewhere/interface.md": "outside the repository",
        "/work/other/x.md": "absolute path",
        "missing.md": "no such file",
        "docs/missing/": "no such file",
        "file:///etc/passwd": "not a web link",
        "other.md#nowhere": "no anchor",
    }
    good = ["other.md", "other.md#a-heading-with-code", "other.md#explicit", "docs/", "#top-heading",
            "https://example.com/x", "mailto:a@example.com", "<other.md>", "docs/sub.md#sub-page-2"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        (root / "docs").mkdir(parents=True)
        (root / "docs" / "sub.md").write_text("# Sub page\n\n## Sub page\n\n## Sub page\n")
        (root / "other.md").write_text('# A heading with `code`\n\n<a id="explicit"></a>\n')
        lines = ["# Top heading", ""]
        lines += [f"[bad]({t})" for t in bad]
        lines += ["[ref]: ../ref-outside.md", "See `shared/spec/x.md`.", '<img src="/abs.png">']
        lines += [f"[good]({t})" for t in good]
        lines += ["```", "[in a fence](../fenced.md)", "```", "`[in a span](../span.md)`"]
        (root / "README.md").write_text("\n".join(lines) + "\n")
        problems, _ = check(root, [root / "README.md"])
        report = "\n".join(problems)
        expected = list(bad.values()) + ["ref-outside.md", "mentions shared/spec", "/abs.png"]
        missed = [e for e in expected if e not in report]
        wrong = [p for p in problems if any(f"({g})" in p or p.endswith(": " + g) for g in good)]
        fenced = [p for p in problems if "fenced.md" in p or "span.md" in p]
        if missed or wrong or fenced or len(problems) != len(expected):
            print("check-links.py self-test failed:", file=sys.stderr)
            print(f"  missed: {missed}\n  wrongly reported: {wrong + fenced}\n  all:\n{report}", file=sys.stderr)
            return False
    return True


def main():
    if not self_test():
        return 1
    files = markdown_files(ROOT)
    problems, links = check(ROOT, files)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} broken or outside link(s) in {len(files)} files", file=sys.stderr)
        return 1
    print(f"docs links: {links} links in {len(files)} files, all inside the repository and present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
