#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| forge_ls_fuzz::yaml(data));
