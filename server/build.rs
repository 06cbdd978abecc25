// `sqlx::migrate!` embeds the migrations when the server is compiled: rebuild when they change
// (as `sqlx migrate build-script` writes it).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
