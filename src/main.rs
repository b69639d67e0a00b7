//! The `stancemill` command: parse flags, run, map the result to an exit code
//! (0 everything became a document, 1 finished with rejects, 2 fatal).

fn main() {
    std::process::exit(stancemill::cli::main());
}
