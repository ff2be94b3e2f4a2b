extern "C" {
    fn compute(x: i32) -> i32;
}

fn main() {
    let y = unsafe { compute(3) };
    println!("{}", y);
}
