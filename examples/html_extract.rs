//! Prints what the HTML extractor keeps of a page, and the page's metadata:
//! `cargo run --release --example html_extract PAGE.html`.

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: html_extract PAGE.html");
    let raw = std::fs::read(&path).expect("read the page");
    let text = String::from_utf8_lossy(&raw);
    let ex = stancemill::input::html::extract(&text);
    println!("{:#?}\n----\n{}", ex.meta, ex.body);
}
