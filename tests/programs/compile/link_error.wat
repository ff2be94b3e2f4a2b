(func $main (export "main") (result i32)
  i32.const 2
  call $compute)
