static COUNTER: i32 = 7;
static MESSAGE: [u8; 16] = *b"static rust data";

fn main() {
    let local: i32 = 1;
    let block = Box::new([0u8; 32]);
    println!(
        "{} {} {} {}",
        &COUNTER as *const i32 as usize,
        MESSAGE.as_ptr() as usize,
        &local as *const i32 as usize,
        block.as_ptr() as usize
    );
}
