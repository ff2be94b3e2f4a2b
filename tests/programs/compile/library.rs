// No fn main: a cell of functions, built as a cdylib whose exported functions can be invoked.
fn square(x: i32) -> i32 {
    x * x
}

#[no_mangle]
pub extern "C" fn sum_of_squares(a: i32, b: i32) -> i32 {
    println!("sum_of_squares({}, {})", a, b);
    square(a) + square(b)
}
