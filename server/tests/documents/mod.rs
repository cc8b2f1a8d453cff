//! The access answer (page, PDF, JSON: the same facts, (a)–(h) present, blocked while the
//! register misses one), the decision letters of every demo outcome in both languages as PDFs
//! that poppler renders and reads, and the privacy officer's oversight with its CSV exports.

mod answer;
mod letters;
mod toezicht;

use crate::db_test;

// The tests are listed here, not in their files, so their names (`documents::<name>::sqlite`)
// stay what they were before the folder was split by topic.
db_test!(access_answer, answer::access_answer_page_pdf_and_json);
db_test!(
    demo_letters,
    letters::every_demo_letter_renders_with_its_routes
);
db_test!(
    health_items_follow_the_level,
    letters::health_items_and_their_letters_follow_the_login_level
);
db_test!(
    oversight,
    toezicht::the_privacy_officer_sees_what_the_demo_hides
);

/// Text of a PDF as poppler reads it, whitespace collapsed; panics unless poppler also renders
/// its first page to an image (a PDF a viewer cannot open fails here).
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, bytes).unwrap();
    let render = std::process::Command::new("pdftoppm")
        .args(["-r", "40", "-png", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(dir.path().join("page"))
        .output()
        .expect("pdftoppm (poppler-utils) is installed by .ci/setup");
    assert!(render.status.success(), "pdftoppm: {render:?}");
    let png = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "png"))
        .expect("a rendered page");
    assert!(std::fs::metadata(png.path()).unwrap().len() > 1000);
    let text = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(text.status.success(), "pdftotext: {text:?}");
    collapse(&String::from_utf8_lossy(&text.stdout))
}

/// Whitespace folded to single spaces, since PDF and HTML break lines where they like.
pub(crate) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Page text as a reader sees it: tags dropped, entities decoded, whitespace collapsed.
pub(crate) fn page_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    collapse(
        &out.replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'"),
    )
}
