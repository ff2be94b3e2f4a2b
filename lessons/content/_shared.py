"""The programs that more than one notebook runs, and the files of the lessons' data folder."""

from __future__ import annotations

HELLO_WAT = r'''
(module
  ;; the only door to the outside: functions the host chooses to provide
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; the text, placed at address 16 of linear memory
  (data (i32.const 16) "Hello, WASI!\n")
  (func (export "_start")
    ;; an iovec at address 0: { buf = 16, buf_len = 13 }
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    ;; fd_write(fd = 1 (stdout), iovs = 0, iovs_len = 1, nwritten -> 8)
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
'''


HELLO_WAT_FR = r'''
(module
  ;; la seule porte vers l'extérieur : les fonctions que l'hôte veut bien fournir
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; le texte, placé à l'adresse 16 de la mémoire linéaire
  (data (i32.const 16) "Hello, WASI!\n")
  (func (export "_start")
    ;; un iovec à l'adresse 0 : { buf = 16, buf_len = 13 }
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    ;; fd_write(fd = 1 (stdout), iovs = 0, iovs_len = 1, nwritten -> 8)
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
'''


CALC_WAT = r'''
(module
  ;; (a + b) * 3, written the way the machine sees it: one instruction at a time
  (func (export "calc") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.add
    i32.const 3
    i32.mul))
'''


CAT_C = r'''
#include <stdio.h>

int main(void) {
    FILE *f = fopen("/data/notes.txt", "r");
    if (!f) { perror("/data/notes.txt"); return 1; }
    char line[256];
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    fclose(f);
    return 0;
}
'''


REGIONS_C = r'''
#include <stdio.h>
#include <stdlib.h>

const char *greeting = "hello";   /* a string literal */
int counter = 42;                 /* a global variable */

int main(void) {
    char local[16] = "on the stack";              /* a local array */
    char *block = malloc(32);                     /* a block from malloc */
    printf("greeting %p\ncounter  %p\nlocal    %p\nblock    %p\n",
           (void *)greeting, (void *)&counter, (void *)local, (void *)block);
    free(block);
    return 0;
}
'''


FOPEN_C = r'''
#include <stdio.h>

int main(void) {
    FILE *f = fopen("/etc/passwd", "r");
    if (!f) { perror("fopen /etc/passwd"); return 1; }
    puts("opened!");
    return 0;
}
'''


CLOCK_RANDOM_C = r'''
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    unsigned char dice[4];
    getentropy(dice, sizeof dice);
    printf("time   %lld.%09ld\n", (long long)now.tv_sec, now.tv_nsec);
    printf("random %u %u %u %u\n", dice[0] % 6 + 1, dice[1] % 6 + 1, dice[2] % 6 + 1, dice[3] % 6 + 1);
    return 0;
}
'''


MIXED_WAT = r'''
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_open"
    (func $sock_open (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
'''


DATA = {
    "notes.txt": (
        "WASI grants a module only what the host hands it.\n"
        "A folder, some arguments, a clock: each one is a capability.\n"
        "Anything else is refused, and the trace says why.\n"
    ),
    "input.txt": "".join(f"line {i}: the quick brown fox\n" for i in range(1, 13)),
    "poem.txt": "Roses are red,\nwasm is fast,\nthe sandbox holds\nfrom first to last.\n",
}


#: the same files for the French notebooks (as many lines, so the checks count the same)
DATA_FR = {
    "notes.txt": (
        "WASI n'accorde à un module que ce que l'hôte lui confie.\n"
        "Un dossier, des arguments, une horloge : chacun est une capacité.\n"
        "Tout le reste est refusé, et la trace dit pourquoi.\n"
    ),
    "input.txt": "".join(f"ligne {i} : le vif renard brun\n" for i in range(1, 13)),
    "poem.txt": "Le wasm est vif,\nle bac à sable tient,\nde la première ligne\njusqu'à la fin.\n",
}
