//! `nexus-docs`: writes docs/openapi.json, docs/NexusOMS_API_Collection.json and the
//! generated endpoint reference inside docs/API_DOCUMENTATION.md, all from the OpenAPI
//! document of the handlers (`nexus_api::docs`). `--check` only reports drift (exit 1).

use clap::Parser;
use nexus_api::docs;
use std::path::PathBuf;
use std::process::ExitCode;

/// Generate the API documents from the code.
#[derive(Parser, Debug)]
#[command(name = "nexus-docs", version, about)]
struct Args {
    /// The docs folder (default: the repository's docs/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Do not write; exit 1 if any file differs from what would be written.
    #[arg(long)]
    check: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let dir = args.out.unwrap_or_else(docs::default_dir);
    let generated = docs::generate();
    let files = match docs::expected_files(&dir, &generated) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("nexus-docs: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut drift = 0;
    for (path, content) in files {
        let same = std::fs::read_to_string(&path).ok().as_deref() == Some(content.as_str());
        if same {
            println!("unchanged  {}", path.display());
            continue;
        }
        drift += 1;
        if args.check {
            println!("differs    {}", path.display());
        } else if let Err(e) = std::fs::write(&path, content) {
            eprintln!("nexus-docs: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        } else {
            println!("written    {}", path.display());
        }
    }
    if args.check && drift > 0 {
        eprintln!(
            "nexus-docs: {drift} file(s) out of date; run `{}`",
            docs::REGENERATE
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
