(func $ok (export "ok") (result i32)
  i32.const 1)

(func $broken (export "broken") (result i32)
  i32.const 1
  i32.add)
