#![no_main]
// The invariants live in the library (stancemill::fuzzing), so tests/fuzz_replay.rs replays
// found inputs through exactly this code on the stable toolchain.
libfuzzer_sys::fuzz_target!(|data: &[u8]| stancemill::fuzzing::warc(data));
