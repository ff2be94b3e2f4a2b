// A tour of wasi_snapshot_preview1 through Rust's standard library, one group per subcommand.
//
// Usage: tour.wasm GROUP [ARGS...]; works in the preopened current directory and prints only
// what every correct host agrees on (names, sizes, contents, error kinds), so the tests can run
// it under two hosts and compare.
use std::env;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::process;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn show<T: std::fmt::Debug>(label: &str, r: io::Result<T>) {
    match r {
        Ok(v) => println!("{}: ok {:?}", label, v),
        Err(e) => println!("{}: error {:?} (os {:?})", label, e.kind(), e.raw_os_error()),
    }
}

fn status(label: &str, r: io::Result<impl Sized>) {
    match r {
        Ok(_) => println!("{}: ok", label),
        Err(e) => println!("{}: error {:?} (os {:?})", label, e.kind(), e.raw_os_error()),
    }
}

fn listing(path: &str) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(path) {
        Ok(rd) => rd
            .map(|e| {
                let e = e.expect("entry");
                let t = e.file_type().expect("file type");
                let kind = if t.is_dir() {
                    "dir"
                } else if t.is_symlink() {
                    "symlink"
                } else {
                    "file"
                };
                format!("{}({})", e.file_name().to_string_lossy(), kind)
            })
            .collect(),
        Err(e) => vec![format!("error {:?}", e.kind())],
    };
    names.sort();
    names
}

fn group_args() {
    let args: Vec<String> = env::args().skip(1).collect();
    println!("args {:?}", args);
    let mut vars: Vec<(String, String)> = env::vars().collect();
    vars.sort();
    println!("vars {:?}", vars);
    println!("GREETING {:?}", env::var("GREETING"));
}

fn group_clocks() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("after epoch");
    println!("after 2020: {}", now.as_secs() > 1_577_836_800);
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_millis(15));
    let dt = t0.elapsed();
    println!("slept >= 15ms: {}", dt >= Duration::from_millis(15));
    println!("slept < 5s: {}", dt < Duration::from_secs(5));
}

fn group_files() -> io::Result<()> {
    let mut f = File::create("notes.txt")?;
    f.write_all(b"first line\nsecond line\n")?;
    show("metadata len", f.metadata().map(|m| m.len()));
    show("seek start 6", f.seek(SeekFrom::Start(6)));
    f.write_all(b"LINE")?;
    show("stream position", f.stream_position());
    show("seek end -5", f.seek(SeekFrom::End(-5)));
    show("seek current -2", f.seek(SeekFrom::Current(-2)));
    show("seek before start", f.seek(SeekFrom::Current(-1000)));
    status("set_len 10", f.set_len(10));
    status("sync_all", f.sync_all());
    status("sync_data", f.sync_data());
    drop(f);
    show("read_to_string", fs::read_to_string("notes.txt"));
    let mut f = OpenOptions::new().append(true).open("notes.txt")?;
    f.write_all(b"+appended")?;
    drop(f);
    show("after append", fs::read_to_string("notes.txt"));
    let mut f = OpenOptions::new().read(true).write(true).open("notes.txt")?;
    let mut buf = [0u8; 4];
    f.read_exact(&mut buf)?;
    println!("read_exact {:?}", String::from_utf8_lossy(&buf));
    show("create_new on existing", OpenOptions::new().write(true).create_new(true).open("notes.txt").map(|_| ()));
    show("open missing", File::open("missing.txt").map(|_| ()));
    show("read a directory as file", fs::read_to_string("."));
    show("metadata of missing", fs::metadata("missing.txt").map(|_| ()));
    show("is_file", fs::metadata("notes.txt").map(|m| m.is_file()));
    show("is_dir", fs::metadata(".").map(|m| m.is_dir()));
    let ro = fs::metadata("notes.txt")?.permissions().readonly();
    println!("readonly: {}", ro);
    fs::write("big.bin", vec![7u8; 100_000])?;
    show("big read length", fs::read("big.bin").map(|v| v.len()));
    Ok(())
}

fn group_dirs() -> io::Result<()> {
    status("create_dir_all x/y/z", fs::create_dir_all("x/y/z"));
    status("create_dir x again", fs::create_dir("x"));
    fs::write("x/y/file.txt", "y")?;
    println!("ls . {:?}", listing("."));
    println!("ls x/y {:?}", listing("x/y"));
    println!("ls sub {:?}", listing("sub"));
    println!("ls missing {:?}", listing("missing"));
    status("remove_dir non-empty", fs::remove_dir("x"));
    status("remove_file on dir", fs::remove_file("x/y"));
    status("remove_dir_all x", fs::remove_dir_all("x"));
    println!("ls . {:?}", listing("."));
    status("rename file", fs::rename("sub/hello.txt", "hello2.txt"));
    status("copy", fs::copy("hello2.txt", "copy.txt").map(|n| println!("copied {}", n)));
    status("hard_link", fs::hard_link("copy.txt", "copy-link.txt"));
    show("link contents", fs::read_to_string("copy-link.txt"));
    status("remove original", fs::remove_file("copy.txt"));
    show("link still there", fs::read_to_string("copy-link.txt"));
    show("canonicalize", fs::canonicalize("."));
    Ok(())
}

extern "C" {
    // wasi-libc's symlink(2); Rust's own wrapper (std::os::wasi::fs::symlink_path) is unstable
    // in the rustc this project uses.
    #[link_name = "symlink"]
    fn libc_symlink(target: *const std::os::raw::c_char, link: *const std::os::raw::c_char) -> i32;
}

fn symlink(target: &str, link: &str) -> io::Result<()> {
    let t = std::ffi::CString::new(target).expect("no NUL");
    let l = std::ffi::CString::new(link).expect("no NUL");
    if unsafe { libc_symlink(t.as_ptr(), l.as_ptr()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn group_symlinks() -> io::Result<()> {
    fs::write("t.txt", "target")?;
    status("symlink", symlink("t.txt", "l"));
    show("read_link", fs::read_link("l"));
    show("read through", fs::read_to_string("l"));
    show("symlink_metadata is_symlink", fs::symlink_metadata("l").map(|m| m.file_type().is_symlink()));
    show("metadata follows", fs::metadata("l").map(|m| m.is_file()));
    status("dangling", symlink("nothing", "d"));
    show("read dangling", fs::read_to_string("d"));
    println!("ls . {:?}", listing("."));
    status("remove symlink", fs::remove_file("l"));
    show("target kept", fs::read_to_string("t.txt"));
    Ok(())
}

fn group_stdin() {
    let mut s = String::new();
    show("read stdin", io::stdin().read_to_string(&mut s));
    println!("stdin was {:?}", s);
    let mut lines = 0;
    for l in s.lines() {
        lines += 1;
        eprintln!("line {}: {}", lines, l.to_uppercase());
    }
}

fn main() {
    let group = env::args().nth(1).unwrap_or_default();
    let r = match group.as_str() {
        "args" => {
            group_args();
            Ok(())
        }
        "clocks" => {
            group_clocks();
            Ok(())
        }
        "files" => group_files(),
        "dirs" => group_dirs(),
        "symlinks" => group_symlinks(),
        "stdin" => {
            group_stdin();
            Ok(())
        }
        "exit" => {
            let code: i32 = env::args().nth(2).and_then(|c| c.parse().ok()).unwrap_or(0);
            println!("exit {}", code);
            process::exit(code)
        }
        "panic" => panic!("a deliberate panic"),
        _ => {
            eprintln!("unknown group {:?}", group);
            process::exit(2)
        }
    };
    if let Err(e) = r {
        eprintln!("error: {:?}", e.kind());
        process::exit(1);
    }
}
