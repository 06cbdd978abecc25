// `#[sqlx::test(migrations = …)]` embeds the migrations when the tests are compiled: rebuild when they change
// (as `sqlx migrate build-script` writes it).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
