fn main() {
    let answer = 42
    println!("{}", answer);
}
