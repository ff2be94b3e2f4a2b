fn square(x: i32) -> i32 {
    let y = x * x;
    y
}

fn main() {
    let mut total = 0;
    for i in 0..3 {
        total += square(i);
    }
    println!("{}", total);
}
