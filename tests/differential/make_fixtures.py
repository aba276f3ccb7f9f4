#!/usr/bin/env python3
"""Write the Agent Skills fixtures under tests/fixtures/agentskills/.

Every case is one folder `tests/fixtures/agentskills/<case-id>/` holding the
skill folder (or file) that is validated; the folder name matters because the
Agent Skills `name` must equal it.  `cases.json` beside the fixtures records,
for each case, the path that is validated (relative to the case folder), where
the case comes from and whether a checker is expected to fail with an I/O /
usage error rather than diagnostics.

Sources:
  * `skills-ref/tests/...::test_x` — a test function of the reference
    validator's own suite (agentskills/agentskills).  Cases taken from a
    revision newer than the 0.1.1 release say so in `note`; the recorded
    expectation is always what skills-ref 0.1.1 does, not what that test asserts.
  * `spec` — an edge condition the suite does not exercise but the written
    specification (agentskills.io/specification) or YAML framing defines.
  * `boternity` — a shape Boternity (shared/spec/boternity-formats.md §6) uses.

Run from anywhere: `python3 tests/differential/make_fixtures.py`.  The output
is deterministic; commit the result.  Existing case folders are removed first
(expected.json and cases.json are rewritten by their own scripts / this one).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "agentskills"

TV = "skills-ref/tests/test_validator.py"
TP = "skills-ref/tests/test_parser.py"
TPR = "skills-ref/tests/test_prompt.py"
TC = "skills-ref/tests/test_cli.py"
TF = "skills-ref/tests/test_features.py"

NEWER = (
    "from a newer upstream revision than the 0.1.1 release; that test asserts "
    "behaviour 0.1.1 does not have"
)

CASES: list[dict] = []


def case(cid, source, files, target=None, note="", io_error=False):
    """Register a case.  files: {relative path: str | bytes}."""
    if target is None:
        tops = {Path(p).parts[0] for p in files}
        assert len(tops) == 1, (cid, tops)
        target = tops.pop()
    CASES.append(
        dict(id=cid, source=source, files=files, target=target, note=note,
             io_error=io_error)
    )


def fm(*lines, body="Body\n"):
    """Frontmatter document with LF line endings."""
    return "---\n" + "".join(l + "\n" for l in lines) + "---\n" + body


def skill(folder, *lines, body="Body\n", fname="SKILL.md"):
    return {f"{folder}/{fname}": fm(*lines, body=body)}


D = "description: A test skill"

# ---------------------------------------------------------------------------
# skills-ref/tests/test_validator.py (cases present in every revision)
# ---------------------------------------------------------------------------
case("valid-minimal", f"{TV}::test_valid_skill",
     skill("my-skill", "name: my-skill", D, body="# My Skill\n"))
case("path-nonexistent", f"{TV}::test_nonexistent_path",
     {"README.md": "The validated path `nonexistent` deliberately does not exist.\n"},
     target="nonexistent", io_error=True,
     note="the CLI rejects a missing path before validate() runs (click exit 2)")
case("not-a-directory", f"{TV}::test_not_a_directory",
     {"file.txt": "test"}, target="file.txt", io_error=True,
     note="a plain file that is not SKILL.md/skill.md; forge-ls may answer with exit 2 "
          "(usage problem) or an error diagnostic")
case("missing-skill-md", f"{TV}::test_missing_skill_md",
     {"my-skill/README.md": "A folder without SKILL.md (this file only keeps the folder in git).\n"},
     note="also covers test_parser.py::test_missing_skill_md and "
          "::test_find_skill_md_returns_none_when_missing")
case("name-uppercase", f"{TV}::test_invalid_name_uppercase",
     skill("MySkill", "name: MySkill", D))
case("name-too-long", f"{TV}::test_name_too_long",
     skill("a" * 70, "name: " + "a" * 70, D))
case("name-leading-hyphen", f"{TV}::test_name_leading_hyphen",
     skill("-my-skill", "name: -my-skill", D))
case("name-consecutive-hyphens", f"{TV}::test_name_consecutive_hyphens",
     skill("my--skill", "name: my--skill", D))
case("name-invalid-characters-underscore", f"{TV}::test_name_invalid_characters",
     skill("my_skill", "name: my_skill", D))
case("name-folder-mismatch", f"{TV}::test_name_directory_mismatch",
     skill("wrong-name", "name: correct-name", D))
case("unknown-field", f"{TV}::test_unexpected_fields",
     skill("my-skill", "name: my-skill", D, "unknown_field: should not be here"))
case("valid-all-fields", f"{TV}::test_valid_with_all_fields",
     skill("my-skill", "name: my-skill", D, "license: MIT", "metadata:", "  author: Test"),
     note="test_models.py (to_dict of all optional fields) maps here too")
case("allowed-tools-string", f"{TV}::test_allowed_tools_accepted",
     skill("my-skill", "name: my-skill", D, "allowed-tools: Bash(jq:*) Bash(git:*)"),
     note="also covers test_parser.py::test_read_with_allowed_tools")
case("i18n-name-chinese", f"{TV}::test_i18n_chinese_name",
     skill("技能", "name: 技能", "description: A skill with Chinese name"))
case("i18n-name-russian-hyphens", f"{TV}::test_i18n_russian_name_with_hyphens",
     skill("мой-навык", "name: мой-навык", "description: A skill with Russian name"))
case("i18n-name-russian-lowercase", f"{TV}::test_i18n_russian_lowercase_valid",
     skill("навык", "name: навык", "description: A skill with Russian lowercase name"))
case("i18n-name-russian-uppercase", f"{TV}::test_i18n_russian_uppercase_rejected",
     skill("НАВЫК", "name: НАВЫК", "description: A skill with Russian uppercase name"))
case("description-too-long", f"{TV}::test_description_too_long",
     skill("my-skill", "name: my-skill", "description: " + "x" * 1100))
case("compatibility-valid", f"{TV}::test_valid_compatibility",
     skill("my-skill", "name: my-skill", D, "compatibility: Requires Python 3.11+"))
case("compatibility-too-long", f"{TV}::test_compatibility_too_long",
     skill("my-skill", "name: my-skill", D, "compatibility: " + "x" * 550))
case("name-nfkc-decomposed", f"{TV}::test_nfkc_normalization",
     skill("caf\u00e9", "name: cafe\u0301", D),
     note="folder is precomposed U+00E9, name is e + U+0301")

# --- revisions of test_validator.py newer than 0.1.1: allowed-tools lists ---
case("allowed-tools-flow-list", f"{TV}::test_allowed_tools_inline_list_accepted",
     skill("my-skill", "name: my-skill", D, "allowed-tools: [Read, Write, Edit, Bash]"),
     note=NEWER + " (also test_parser.py::test_read_with_allowed_tools_inline_list)")
case("allowed-tools-block-list", f"{TV}::test_allowed_tools_block_list_accepted",
     skill("my-skill", "name: my-skill", D, "allowed-tools:", "  - Read", "  - Bash", "  - Grep"),
     note=NEWER + " (also test_parser.py::test_read_with_allowed_tools_block_list)")
case("allowed-tools-list-non-string-item", f"{TV}::test_allowed_tools_list_items_must_be_strings",
     skill("my-skill", "name: my-skill", D, "allowed-tools:", "  - Read", "  - 123"),
     note=NEWER)
case("allowed-tools-integer", f"{TV}::test_allowed_tools_invalid_scalar_type_rejected",
     skill("my-skill", "name: my-skill", D, "allowed-tools: 123"),
     note=NEWER + " (also test_parser.py::test_read_with_allowed_tools_invalid_type)")

# --- a revision of test_validator.py with a `capabilities` field (not in 0.1.1) ---
case("capabilities-valid", f"{TV}::test_valid_capabilities",
     skill("my-skill", "name: my-skill", D, "capabilities:", "  - shell", "  - filesystem",
           "  - network", "  - browser"),
     note=NEWER + " (also test_parser.py::test_read_with_capabilities)")
case("capabilities-unrecognized", f"{TV}::test_unrecognized_capability_warns",
     skill("my-skill", "name: my-skill", D, "capabilities:", "  - shell", "  - telekinesis"),
     note=NEWER)
case("capabilities-duplicate", f"{TV}::test_duplicate_capability",
     skill("my-skill", "name: my-skill", D, "capabilities:", "  - shell", "  - shell"),
     note=NEWER)
case("capabilities-empty-flow-list", f"{TV}::test_empty_capabilities_list",
     skill("my-skill", "name: my-skill", D, "capabilities: []"),
     note=NEWER)
case("capabilities-single", f"{TV}::test_single_capability",
     skill("my-skill", "name: my-skill", D, "capabilities:", "  - network"),
     note=NEWER)

# ---------------------------------------------------------------------------
# skills-ref/tests/test_parser.py (parse_frontmatter on strings -> file form)
# ---------------------------------------------------------------------------
case("parser-valid-frontmatter", f"{TP}::test_valid_frontmatter",
     skill("my-skill", "name: my-skill", D, body="# My Skill\n\nInstructions here.\n"),
     note="parse_frontmatter(content) written as my-skill/SKILL.md")
case("no-frontmatter", f"{TP}::test_missing_frontmatter",
     {"my-skill/SKILL.md": "# No frontmatter here"})
case("unclosed-frontmatter", f"{TP}::test_unclosed_frontmatter",
     {"my-skill/SKILL.md": "---\nname: my-skill\ndescription: A test skill\n"})
case("invalid-yaml", f"{TP}::test_invalid_yaml",
     {"my-skill/SKILL.md": "---\nname: [invalid\ndescription: broken\n---\nBody here\n"})
case("frontmatter-not-mapping", f"{TP}::test_non_dict_frontmatter",
     {"my-skill/SKILL.md": "---\n- just\n- a\n- list\n---\nBody\n"})
case("parser-read-valid-license", f"{TP}::test_read_valid_skill",
     skill("my-skill", "name: my-skill", D, "license: MIT", body="# My Skill\n"))
case("metadata-non-string-values", f"{TP}::test_read_with_metadata",
     skill("my-skill", "name: my-skill", D, "metadata:", "  author: Test Author",
           "  version: 1.0"),
     note="unquoted 1.0: skills-ref reads every scalar as text")
case("missing-name", f"{TP}::test_missing_name",
     skill("my-skill", D))
case("missing-description", f"{TP}::test_missing_description",
     skill("my-skill", "name: my-skill"))
case("skill-md-both-cases", f"{TP}::test_find_skill_md_prefers_uppercase",
     {"my-skill/SKILL.md": fm("name: my-skill", D),
      "my-skill/skill.md": "lowercase"},
     note="the upstream test writes 'uppercase'/'lowercase' as contents; here SKILL.md is "
          "valid and skill.md is not, so the result shows which one is read. Two files "
          "differing only in case: check out on a case-sensitive file system")
case("lowercase-skill-md", f"{TP}::test_read_properties_with_lowercase_skill_md",
     skill("my-skill", "name: my-skill", D, body="# My Skill\n", fname="skill.md"),
     note="also covers test_parser.py::test_find_skill_md_accepts_lowercase")

# ---------------------------------------------------------------------------
# skills-ref/tests/test_prompt.py (to_prompt reads the same files)
# ---------------------------------------------------------------------------
case("prompt-single-skill", f"{TPR}::test_single_skill",
     skill("my-skill", "name: my-skill", D))
case("prompt-multiple-skills-a", f"{TPR}::test_multiple_skills",
     skill("skill-a", "name: skill-a", "description: First skill"),
     note="the test's second skill is prompt-multiple-skills-b")
case("prompt-multiple-skills-b", f"{TPR}::test_multiple_skills",
     skill("skill-b", "name: skill-b", "description: Second skill"))
case("prompt-special-chars-description", f"{TPR}::test_special_characters_escaped",
     skill("special-skill", "name: special-skill", "description: Use <foo> & <bar> tags"))
case("prompt-special-chars-location", f"{TPR}::test_special_characters_escaped_in_location",
     skill("special-location-&", "name: special-location",
           "description: Test skill with special characters in path"),
     note="upstream folder is 'special-location-&-<>'; '<>' dropped so the repository "
          "checks out on Windows. The name does not match the folder either way")

# ---------------------------------------------------------------------------
# skills-ref/tests/test_cli.py (a revision with --allow-field, not in 0.1.1)
# ---------------------------------------------------------------------------
case("unknown-field-user-invocable", f"{TC}::test_allow_field_single",
     skill("my-skill", "name: my-skill", D, "user-invocable: true"),
     note=NEWER + "; validated without --allow-field (0.1.1 has no such option)")
case("unknown-fields-two", f"{TC}::test_allow_field_partial_coverage",
     skill("my-skill", "name: my-skill", D, "user-invocable: true", "totally-bogus: wat"),
     note=NEWER)
case("unknown-fields-model", f"{TC}::test_allow_field_multiple",
     skill("my-skill", "name: my-skill", D, "user-invocable: true", "model: opus"),
     note=NEWER)
case("cli-skill-md-file-path", f"{TC}::test_allow_field_with_skill_md_file_path",
     skill("my-skill", "name: my-skill", D), target="my-skill/SKILL.md",
     note="the validated path is the SKILL.md file itself; the CLI then validates its "
          "folder. The upstream file also has user-invocable (see "
          "unknown-field-user-invocable); here it is left out so the file-path form "
          "is tested on its own")

# ---------------------------------------------------------------------------
# skills-ref/tests/test_features.py (a revision with a `features` field)
# ---------------------------------------------------------------------------
case("features-field", f"{TF}::test_valid_features",
     skill("my-skill", "name: my-skill", D, "features:", "  default:", "    - app-router",
           "  available:", "    app-router:", "      description: App Router patterns",
           '      section: "## App Router"', "    pages-router:",
           "      description: Pages Router patterns", '      section: "## Pages Router"'),
     note=NEWER + "; the other test_features.py cases only vary the features block and "
          "give the same 0.1.1 result (Unexpected fields: features)")

# ---------------------------------------------------------------------------
# Edge conditions the suite misses (framing and encoding)
# ---------------------------------------------------------------------------
VALID = fm("name: my-skill", D)
case("bom-leading", "spec", {"my-skill/SKILL.md": b"\xef\xbb\xbf" + VALID.encode()},
     note="UTF-8 byte order mark before the opening ---")
case("crlf-line-endings", "spec",
     {"my-skill/SKILL.md": VALID.replace("\n", "\r\n").encode()})
case("cr-only-line-endings", "spec",
     {"my-skill/SKILL.md": VALID.replace("\n", "\r").encode()},
     note="old-Mac CR line endings")
case("empty-file", "spec", {"my-skill/SKILL.md": ""})
case("empty-frontmatter", "spec", {"my-skill/SKILL.md": "---\n---\nBody\n"})
case("frontmatter-only-no-body", "spec",
     {"my-skill/SKILL.md": "---\nname: my-skill\ndescription: A test skill\n---\n"})
case("no-trailing-newline", "spec",
     {"my-skill/SKILL.md": "---\nname: my-skill\ndescription: A test skill\n---"})
case("leading-blank-line", "spec", {"my-skill/SKILL.md": "\n" + VALID},
     note="a blank line before the opening ---")
case("opening-delimiter-trailing-space", "spec",
     {"my-skill/SKILL.md": "--- \nname: my-skill\ndescription: A test skill\n---\nBody\n"})
case("closing-delimiter-glued", "spec",
     {"my-skill/SKILL.md": "---\nname: my-skill\ndescription: A test skill---\nBody\n"},
     note="the closing --- is not on a line of its own")
case("triple-dash-in-value", "spec",
     {"my-skill/SKILL.md": "---\ndescription: Use --- to separate sections\nname: my-skill\n---\nBody\n"},
     note="--- inside a value, before the name key")
case("invalid-utf8", "spec",
     {"my-skill/SKILL.md": b"---\nname: my-skill\ndescription: caf\xe9 in Latin-1\n---\nBody\n"},
     note="Latin-1 byte 0xE9 is not valid UTF-8")
case("valid-with-resources", "spec",
     {"my-skill/SKILL.md": fm("name: my-skill", D, body="See [ref](references/REFERENCE.md).\n"),
      "my-skill/references/REFERENCE.md": "# Reference\n",
      "my-skill/scripts/run.sh": "#!/bin/sh\necho ok\n",
      "my-skill/assets/template.txt": "template\n"})
case("comments-in-frontmatter", "spec",
     skill("my-skill", "# a comment", "name: my-skill  # trailing comment", D))
case("yaml-duplicate-key", "spec",
     skill("my-skill", "name: my-skill", D, "description: Again"))
case("yaml-anchor-alias", "spec",
     skill("my-skill", "name: &n my-skill", D, "metadata:", "  id: *n"))
case("yaml-explicit-tag", "spec",
     skill("my-skill", "name: !!str my-skill", D))
case("description-folded-multiline", "spec",
     skill("my-skill", "name: my-skill", "description: >", "  A test skill that spans",
           "  two lines."))

# ---------------------------------------------------------------------------
# name
# ---------------------------------------------------------------------------
N64 = "a" * 64
N65 = "a" * 65
case("name-exactly-64", "spec", skill(N64, "name: " + N64, D))
case("name-65-chars", "spec", skill(N65, "name: " + N65, D))
case("name-single-char", "spec", skill("a", "name: a", D))
case("name-trailing-hyphen", "spec", skill("my-skill-", "name: my-skill-", D))
case("name-with-space", "spec", skill("my skill", "name: my skill", D))
case("name-with-dot", "spec", skill("my.skill", "name: my.skill", D))
case("name-digits-only", "spec", skill("123", "name: 123", D),
     note="an unquoted number: a YAML 1.2 core-schema reader sees an integer")
case("name-empty", "spec", skill("my-skill", 'name: ""', D))
case("name-null-literal", "spec", skill("null", "name: null", D),
     note="YAML null; skills-ref reads the text 'null'")
case("name-not-string-list", "spec", skill("my-skill", "name:", "  - my-skill", D))
case("name-whitespace-padded", "spec", skill("my-skill", 'name: "  my-skill  "', D))
case("name-nfkc-fullwidth", "spec",
     skill("my-skill", "name: \uff4d\uff59-\uff53\uff4b\uff49\uff4c\uff4c", D),
     note="fullwidth letters; NFKC folds them to ASCII my-skill")
case("name-accented-latin", "spec", skill("caf\u00e9", "name: caf\u00e9", D),
     note="non-ASCII lowercase letter")
case("name-arabic-indic-digits", "spec", skill("v\u0663", "name: v\u0663", D),
     note="U+0663 ARABIC-INDIC DIGIT THREE is a Unicode digit, not 0-9")
case("name-devanagari", "spec", skill("\u0928\u092e\u0938\u094d\u0924\u0947", "name: \u0928\u092e\u0938\u094d\u0924\u0947", D),
     note="Hindi 'namaste': contains U+094D VIRAMA and U+0947 VOWEL SIGN E (category Mn); "
          "Python str.isalnum() is false for them, Rust char::is_alphanumeric() is true for U+0947")
case("name-nfkc-ligature", "spec", skill("file", "name: \ufb01le", D),
     note="U+FB01 LATIN SMALL LIGATURE FI; NFKC expands it to 'fi', so the name becomes 'file'")
case("name-folder-mismatch-case-only", "spec", skill("My-Skill", "name: my-skill", D),
     note="folder differs from the name only in letter case")
case("name-multiple-errors", "spec", skill("my-skill", "name: -My__Skill-", D),
     note="several name rules broken at once; shows skills-ref reports each")

# ---------------------------------------------------------------------------
# description
# ---------------------------------------------------------------------------
case("description-exactly-1024", "spec", skill("my-skill", "name: my-skill", "description: " + "x" * 1024))
case("description-1025-chars", "spec", skill("my-skill", "name: my-skill", "description: " + "x" * 1025))
case("description-1024-astral", "spec",
     skill("my-skill", "name: my-skill", "description: " + "\U0001F600" * 1024),
     note="1024 code points, 2048 UTF-16 units, 4096 UTF-8 bytes")
case("description-empty", "spec", skill("my-skill", "name: my-skill", 'description: ""'))
case("description-whitespace-only", "spec", skill("my-skill", "name: my-skill", 'description: "   "'))
case("description-null-literal", "spec", skill("my-skill", "name: my-skill", "description: null"),
     note="YAML null; skills-ref reads the text 'null'")
case("description-number", "spec", skill("my-skill", "name: my-skill", "description: 42"))
case("description-not-string-map", "spec",
     skill("my-skill", "name: my-skill", "description:", "  text: A test skill"))
case("missing-name-and-description", "spec", skill("my-skill", "license: MIT"))

# ---------------------------------------------------------------------------
# compatibility, license, allowed-tools, metadata
# ---------------------------------------------------------------------------
case("compatibility-exactly-500", "spec", skill("my-skill", "name: my-skill", D, "compatibility: " + "x" * 500))
case("compatibility-501-chars", "spec", skill("my-skill", "name: my-skill", D, "compatibility: " + "x" * 501))
case("compatibility-empty", "spec", skill("my-skill", "name: my-skill", D, 'compatibility: ""'),
     note="the specification says 1-500 characters if provided")
case("compatibility-list", "spec",
     skill("my-skill", "name: my-skill", D, "compatibility:", "  - claude-code", "  - codex"))
case("license-not-string", "spec",
     skill("my-skill", "name: my-skill", D, "license:", "  - MIT", "  - Apache-2.0"))
case("allowed-tools-empty", "spec", skill("my-skill", "name: my-skill", D, "allowed-tools:"))
case("metadata-not-map", "spec", skill("my-skill", "name: my-skill", D, "metadata: just text"),
     note="the specification says a map from string keys to string values")
case("metadata-nested-values", "spec",
     skill("my-skill", "name: my-skill", D, "metadata:", "  tags:", "    - a", "    - b",
           "  owner:", "    team: x"),
     note="values that are a list and a map instead of strings")
case("metadata-flow-map", "spec", skill("my-skill", "name: my-skill", D, "metadata: {author: x}"))
case("metadata-empty", "spec", skill("my-skill", "name: my-skill", D, "metadata:"))

# ---------------------------------------------------------------------------
# Boternity-shaped files (boternity-formats.md §6.3)
# ---------------------------------------------------------------------------
case("boternity-example-flow-lists", "boternity",
     skill("page-summarizer", "name: page-summarizer",
           "description: Summarize a fetched web page into five bullet points",
           "license: MIT", "metadata:", "  author: jane", '  version: "0.2.0"',
           "  skill-type: tool", "  capabilities: [http_get, recall_memory]",
           '  dependencies: ["url-tools@^1.0"]', "  conflicts-with: [page-translator]",
           "  trust-tier: local", "  parents: [base-web]",
           "  categories: [web, summarization]", "allowed-tools: web_fetch",
           body="# Page Summarizer\n\nFetch the page given as input and return five short bullets.\n"),
     note="the §6.3 example verbatim (flow-style lists)")
case("boternity-example-block-lists", "boternity",
     skill("page-summarizer", "name: page-summarizer",
           "description: Summarize a fetched web page into five bullet points",
           "license: MIT", "metadata:", "  author: jane", '  version: "0.2.0"',
           "  skill-type: tool", "  capabilities:", "    - http_get", "    - recall_memory",
           "  dependencies:", '    - "url-tools@^1.0"', "  conflicts-with:",
           "    - page-translator", "  trust-tier: local", "  parents:", "    - base-web",
           "  categories:", "    - web", "    - summarization", "allowed-tools: web_fetch",
           body="# Page Summarizer\n\nFetch the page given as input and return five short bullets.\n"),
     note="the §6.3 example with block-style lists")
case("boternity-cli-template", "boternity",
     skill("my-tool", "name: my-tool", "description: A new tool skill", "metadata:",
           "  author: local", '  version: "0.1.0"', "  skill-type: tool", "  capabilities: []",
           body="# my-tool\n\nDescribe what this skill does.\n"),
     note="shape written by `bnity skill create --type tool` (§6.11): empty flow list")
case("boternity-metadata-bad-semver", "boternity",
     skill("my-skill", "name: my-skill", D, "metadata:", "  version: v1.0"),
     note="Boternity rejects a non-semver metadata.version; the specification does not care")


def main() -> int:
    ids = [c["id"] for c in CASES]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        print("duplicate case ids:", sorted(dup), file=sys.stderr)
        return 1
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for child in FIXTURES.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
    manifest = {}
    for c in CASES:
        base = FIXTURES / c["id"]
        for rel, content in c["files"].items():
            p = base / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            p.write_bytes(data)
        entry = {"target": c["target"], "source": c["source"]}
        if c["io_error"]:
            entry["io_error"] = True
        if c["note"]:
            entry["note"] = c["note"]
        manifest[c["id"]] = entry
    (FIXTURES / "cases.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(CASES)} cases to {FIXTURES.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
