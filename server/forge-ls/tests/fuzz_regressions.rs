//! Replays, on stable and in CI, what the fuzzers check (`fuzz/src/lib.rs`, included
//! here verbatim): every input that once crashed a target, kept in
//! `tests/fuzz-regressions/<target>/`, and every fixture through every target.

#[path = "../../../fuzz/src/lib.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn crashing_inputs_stay_fixed() {
    let dir = root().join("tests/fuzz-regressions");
    let mut count = 0;
    for target in std::fs::read_dir(&dir)
        .expect("tests/fuzz-regressions")
        .flatten()
    {
        let name = target.file_name().to_string_lossy().into_owned();
        let mut inputs = Vec::new();
        files_under(&target.path(), &mut inputs);
        for input in inputs {
            let data = std::fs::read(&input).expect("regression input");
            eprintln!("{name}: {}", input.display());
            assert!(checks::run(&name, &data), "no fuzz target called {name}");
            count += 1;
        }
    }
    assert!(
        count > 0,
        "no regression inputs found under {}",
        dir.display()
    );
}

#[test]
fn every_fixture_through_every_target() {
    let mut fixtures = Vec::new();
    files_under(&root().join("tests/fixtures"), &mut fixtures);
    assert!(fixtures.len() > 100, "fixtures not found");
    for f in fixtures {
        let data = std::fs::read(&f).expect("fixture");
        for (name, target) in checks::TARGETS {
            eprintln!("{name}: {}", f.display());
            target(&data);
            // The analyze target reads a leading selector byte: try every file kind and profile.
            if *name == "analyze" {
                for selector in [0u8, 1, 2, 3, 4, 0x80, 0x84] {
                    let mut with = vec![selector];
                    with.extend_from_slice(&data);
                    target(&with);
                }
            }
        }
    }
}
