//! The `tessera` command line; see [`tessera::cli`].

fn main() {
    std::process::exit(tessera::cli::main(std::env::args_os()));
}
