//! The translations are read by `rust_i18n::i18n!` at compile time; cargo does not know those
//! files, so without this a changed text would not rebuild the pages.

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
