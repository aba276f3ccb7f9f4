fn main() {
    println!("forge-ls {}", env!("CARGO_PKG_VERSION"));
}
