;; The layout symbols a C toolchain would export, written by hand.
(memory (export "memory") 2)
(global $sp (export "__stack_pointer") (mut i32) (i32.const 65536))
(global (export "__data_end") i32 (i32.const 66048))
(global (export "__heap_base") i32 (i32.const 66048))
(data (i32.const 65536) "static data")
(func (export "sp") (result i32) global.get $sp)
