(func $double (export "double") (param $x i32) (result i32)
  get_local $x
  get_local $x
  i32.add)
