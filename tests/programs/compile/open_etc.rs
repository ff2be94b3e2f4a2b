use std::fs::File;

fn main() {
    match File::open("/etc/passwd") {
        Ok(_) => println!("opened"),
        Err(error) => {
            println!("refused: {}", error);
            std::process::exit(1);
        }
    }
}
