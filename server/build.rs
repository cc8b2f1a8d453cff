//! Compiles the Tailwind stylesheet into `OUT_DIR`; the binary serves it under a content hash.
//!
//! Written to `OUT_DIR`, not `style/` or `target/site`: cargo-leptos wipes the site directory and
//! builds the WASM, the styles and the server in parallel, so any shared output would race.

use std::{env, path::PathBuf, process::Command};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest
        .parent()
        .expect("server/ lives in the workspace")
        .to_path_buf();
    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("inzage.css");
    for watched in [
        "style",
        "app/src",
        "server/src/dev/digid",
        "package-lock.json",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let cli = root.join("node_modules/.bin/tailwindcss");
    if !cli.exists() {
        panic!(
            "Tailwind is not installed: {} is missing. Run `npm ci` in {} (the README's commands do).",
            cli.display(),
            root.display()
        );
    }
    let status = Command::new(&cli)
        .current_dir(&root)
        .args(["--input", "style/input.css", "--output"])
        .arg(&out)
        .arg("--minify")
        .status()
        .unwrap_or_else(|e| panic!("running {}: {e}", cli.display()));
    assert!(status.success(), "Tailwind failed with {status}");
    // The default design tokens (the NL Design System example theme), served apart from the
    // stylesheet so a deployment can serve its own instead.
    let tokens =
        root.join("node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css");
    let out_tokens = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("theme.css");
    std::fs::copy(&tokens, &out_tokens).unwrap_or_else(|e| {
        panic!(
            "the default design tokens are missing ({}: {e}). Run `npm ci` in {}.",
            tokens.display(),
            root.display()
        )
    });
}
