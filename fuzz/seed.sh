#!/bin/sh
# Seed each target's corpus (fuzz/corpus/<target>/) from the test fixtures.
set -eu
cd "$(dirname "$0")"
fixtures=../tests/fixtures
for t in frontmatter yaml markdown analyze edits skills_toml; do
    mkdir -p "corpus/$t"
done
find "$fixtures" -type f -name '*.md' | while read -r f; do
    n=$(echo "$f" | sed 's|^\.\./tests/fixtures/||; s|/|_|g')
    for t in frontmatter yaml markdown edits; do cp "$f" "corpus/$t/$n"; done
    # analyze: a selector byte (file kind and profile), then the file.
    case "$f" in
        */SOUL.md) k='\002' ;; */IDENTITY.md) k='\001' ;; */USER.md) k='\003' ;; *) k='\000' ;;
    esac
    { printf "$k"; cat "$f"; } > "corpus/analyze/$n"
done
find "$fixtures" -type f -name '*.toml' | while read -r f; do
    n=$(echo "$f" | sed 's|^\.\./tests/fixtures/||; s|/|_|g')
    cp "$f" "corpus/skills_toml/$n"
    { printf '\004'; cat "$f"; } > "corpus/analyze/$n"
done
# The yaml target wants the frontmatter alone.
for f in corpus/yaml/*; do
    sed -n '2,/^---/p' "$f" | sed '$d' > "$f.tmp" && mv "$f.tmp" "$f"
done
