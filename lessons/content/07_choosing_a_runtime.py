"""Lesson 7: the cells of ``07-choosing-a-runtime`` in English and French."""

from __future__ import annotations

from ._cells import code, exercise, french, md, py
from ._shared import HELLO_WAT

WORK_WAT = r'''
(module
  ;; n rounds of a xorshift random generator, summed: no call, no memory, only computing
  (func (export "work") (param $n i32) (result i32) (local $x i32) (local $acc i32)
    (local.set $x (i32.const 2463534242))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        (local.set $acc (i32.add (local.get $acc) (local.get $x)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func (export "_start")))
'''


WORK_C = r'''
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

unsigned work(unsigned n) {
    unsigned x = 2463534242u, acc = 0;
    while (n) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; acc += x; n--; }
    return acc;
}

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    unsigned r = work(n);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%u %ld\n", r, (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec));
    return 0;
}
'''


NODE_SCRIPT = r'''
import { readFileSync } from 'node:fs';
const bytes = readFileSync(process.argv[2]);
const n = Number(process.argv[3]);
const t0 = process.hrtime.bigint();
const { instance } = await WebAssembly.instantiate(bytes);
const t1 = process.hrtime.bigint();
let best = Infinity, r = 0;
for (let i = 0; i < 3; i++) {  // the best of three: V8 compiles hot code again, faster
  const a = process.hrtime.bigint();
  r = instance.exports.work(n) >>> 0;
  best = Math.min(best, Number(process.hrtime.bigint() - a));
}
process.stdout.write(`${t1 - t0} ${best} ${r}\n`);
'''


SETUP = py(
    "import os, shutil, statistics, subprocess, tempfile, time",
    "import wasmtime",
    f"WORK_WAT = r'''{WORK_WAT}'''",
    f"WORK_C = r'''{WORK_C}'''",
    f"NODE_SCRIPT = r'''{NODE_SCRIPT}'''",
    "folder = tempfile.mkdtemp()",
    "work_wasm = bytes(wasmtime.wat2wasm(WORK_WAT))",
    "wasm_path = os.path.join(folder, 'work.wasm')",
    "with open(wasm_path, 'wb') as f:",
    "    f.write(work_wasm)",
    "",
    "def median_time(fn, repeat):",
    '    """The median, in seconds, of `repeat` timings of fn()."""',
    "    times = []",
    "    for _ in range(repeat):",
    "        start = time.perf_counter()",
    "        fn()",
    "        times.append(time.perf_counter() - start)",
    "    return statistics.median(times)",
    "",
    "def ns_per_round(fn, n, repeat=3):",
    '    """The best of `repeat` timings of fn(n), in nanoseconds per round (the least disturbed)."""',
    "    best = float('inf')",
    "    for _ in range(repeat):",
    "        start = time.perf_counter()",
    "        fn(n)",
    "        best = min(best, time.perf_counter() - start)",
    "    return best * 1e9 / n",
    "",
    "startup = {}    # name -> seconds, or a sentence saying why it was not measured",
    "execution = {}  # name -> nanoseconds per round of `work`, or a sentence",
    "N = 1_000_000   # rounds for the fast engines; the slow ones do fewer and are scaled",
)


NATIVE = py(
    "gcc = shutil.which('gcc') or shutil.which('cc')",
    "expected = None",
    "if gcc:",
    "    source = os.path.join(folder, 'work.c')",
    "    with open(source, 'w') as f:",
    "        f.write(WORK_C)",
    "    native = os.path.join(folder, 'work-native')",
    "    subprocess.run([gcc, '-O2', '-o', native, source], check=True)",
    "    startup['native process, gcc -O2 (fork+exec)'] = median_time(",
    "        lambda: subprocess.run([native, '0'], capture_output=True), 20)",
    "    value, ns = subprocess.run([native, str(N)], capture_output=True, text=True).stdout.split()",
    "    expected, execution['native, gcc -O2'] = int(value), int(ns) / N",
    "else:",
    "    startup['native process, gcc -O2 (fork+exec)'] = 'not measured: no C compiler on PATH'",
    "    execution['native, gcc -O2'] = 'not measured: no C compiler on PATH'",
    "",
    "from wasikernel import compare",
    "CONTAINER = 'container (runc, busybox image, whole process)'",
    "why = compare.container_status()  # None where a container can start: root, runc installed",
    "if why is None:",
    "    try:",
    "        static = compare.native_build(compare.HELLO_C, 'hello-static', static=True)",
    "        bundle = compare.container_bundle(static)",
    "        startup[CONTAINER] = median_time(lambda: compare.run_container(bundle), 5)",
    "    except Exception as error:",
    "        startup[CONTAINER] = f'not measured: {error}'",
    "else:",
    "    startup[CONTAINER] = f'not measured: {why}'",
)


WASMTIME = py(
    "def wasmtime_engine(opt_level=None, target=None):",
    "    config = wasmtime.Config()",
    "    if opt_level:",
    "        config.cranelift_opt_level = opt_level",
    "    if target:",
    "        config.target = target",
    "    return wasmtime.Engine(config)",
    "",
    "variants = [('wasmtime, Cranelift opt none', 'none', None),",
    "            ('wasmtime, Cranelift opt speed', 'speed', None),",
    "            ('wasmtime, Cranelift opt speed_and_size', 'speed_and_size', None),",
    "            ('wasmtime, Pulley interpreter', None, 'pulley64')]",
    "for name, opt_level, target in variants:",
    "    engine = wasmtime_engine(opt_level, target)",
    "    startup[name + ' (compile + instantiate)'] = median_time(",
    "        lambda: wasmtime.Instance(wasmtime.Store(engine), wasmtime.Module(engine, work_wasm), []), 10)",
    "    module = wasmtime.Module(engine, work_wasm)",
    "    startup[name + ' (instantiate)'] = median_time(",
    "        lambda: wasmtime.Instance(wasmtime.Store(engine), module, []), 50)",
    "    store = wasmtime.Store(engine)",
    "    work = wasmtime.Instance(store, module, []).exports(store)['work']",
    "    if expected is not None:",
    "        value = work(store, N) & 0xFFFFFFFF",
    "        assert value == expected, f'{name} computed {value}, native {expected}'",
    "    execution[name] = ns_per_round(lambda n: work(store, n), N if target is None else N // 10)",
)


OTHERS = py(
    "try:",
    "    import wasm3",
    "    def load_wasm3():",
    "        env = wasm3.Environment()",
    "        runtime = env.new_runtime(64 * 1024)",
    "        runtime.load(env.parse_module(work_wasm))",
    "        return runtime",
    "    startup['wasm3 via pywasm3 (load)'] = median_time(load_wasm3, 50)",
    "    execution['wasm3 via pywasm3'] = ns_per_round(load_wasm3().find_function('work'), N // 10)",
    "except ImportError:",
    "    startup['wasm3 via pywasm3 (load)'] = 'not measured: pywasm3 is not installed'",
    "    execution['wasm3 via pywasm3'] = 'not measured: pywasm3 is not installed'",
    "",
    "from wasikernel.engines import run",
    "def ours(name, engine, repeat, n):",
    "    try:",
    "        startup[name + ' (whole run)'] = median_time(",
    "            lambda: run(work_wasm, Sandbox(), engine=engine), repeat)",
    "        result = run(work_wasm, Sandbox(), engine=engine, invoke='work', invoke_args=(n,))",
    "        if result.trap is not None:",
    "            execution[name] = f'not measured: {result.trap.message}'",
    "        else:",
    "            execution[name] = ns_per_round(",
    "                lambda k: run(work_wasm, Sandbox(), engine=engine, invoke='work', invoke_args=(k,)),",
    "                n, repeat=2)",
    "    except Exception as error:",
    "        startup[name + ' (whole run)'] = execution[name] = f'not measured: {error}'",
    "ours('our WASI host on wasmtime', 'wasmtime', 10, N)",
    "ours('our step-through interpreter', 'stepper', 3, 2_000)",
    "",
    "node = shutil.which('node')",
    "if node:",
    "    script = os.path.join(folder, 'work.mjs')",
    "    with open(script, 'w') as f:",
    "        f.write(NODE_SCRIPT)",
    "    startup['node process, V8 (whole run)'] = median_time(",
    "        lambda: subprocess.run([node, script, wasm_path, '0'], capture_output=True), 5)",
    "    fields = subprocess.run([node, script, wasm_path, str(N)],",
    "                            capture_output=True, text=True).stdout.split()",
    "    startup['node, V8 (instantiate)'] = int(fields[0]) / 1e9",
    "    execution['node, V8'] = int(fields[1]) / N",
    "else:",
    "    startup['node process, V8 (whole run)'] = execution['node, V8'] = 'not measured: no node on PATH'",
    "",
    "from wasikernel.engines import REGISTRY",
    "for cli in ('wasmtime-cli', 'wasmedge', 'wasmer', 'iwasm'):  # the runtimes' command lines",
    "    runtime = REGISTRY[cli]",
    "    path = runtime.path()",
    "    if path:",
    "        startup[f'{cli} (whole process)'] = median_time(",
    "            lambda: subprocess.run([path, *runtime.prefix, wasm_path], capture_output=True), 5)",
    "    else:",
    "        startup[f'{cli} (whole process)'] = f'not measured: {runtime.available()}'",
    "for name in ('pywasm', 'wasmer-sdk'):  # runtimes that a Python package brings",
    "    why = REGISTRY[name].available()",
    "    if why is None:",
    "        startup[f'{name} (whole process)'] = median_time(",
    "            lambda: run(work_wasm, Sandbox(), engine=name), 3)",
    "    else:",
    "        startup[f'{name} (whole process)'] = f'not measured: {why}'",
)


ENGINES = py(
    "from wasikernel.engines import ENGINES, run",
    f"hello_wasm = bytes(wasmtime.wat2wasm(r'''{HELLO_WAT}'''))",
    "adapters = {}  # engine name -> seconds for a whole run of hello through our WASI host",
    "for name in ENGINES:",
    "    try:",
    "        run(hello_wasm, Sandbox(), engine=name)  # warm-up: load the adapter, compile",
    "        adapters[name] = median_time(lambda: run(hello_wasm, Sandbox(), engine=name), 3)",
    "    except Exception as error:",
    "        adapters[name] = f'not measured: {error}'",
    "for name, value in adapters.items():",
    "    print(f'  {name:14}', f'{value * 1e3:9.2f} ms' if isinstance(value, float) else value)",
)


TABLE = py(
    "def show(title, table, unit, scale):",
    "    print(title)",
    "    for name, value in table.items():",
    "        figure = f'{value * scale:12.4f} {unit}' if isinstance(value, float) else '   ' + value",
    "        print(f'  {name:62} {figure}')",
    "show('start-up (median)', startup, 'ms', 1e3)",
    "show('execution of work(n)', execution, 'ns per round', 1)",
)


PLOT = py(
    "try:",
    "    import matplotlib.pyplot as plt",
    "except ImportError:",
    "    plt = None",
    "    print('matplotlib is not installed: the table above is all there is')",
    "if plt is not None:",
    "    fig, axes = plt.subplots(1, 2, figsize=(12, 5))",
    "    for ax, (title, table, scale, unit) in zip(axes, [",
    "            ('start-up', startup, 1e3, 'ms (log scale)'),",
    "            ('execution of work(n)', execution, 1, 'ns per round (log scale)')]):",
    "        measured = {k: v * scale for k, v in table.items() if isinstance(v, float)}",
    "        ax.barh(list(measured), list(measured.values()), color='#4c72b0')",
    "        ax.set_xscale('log')",
    "        ax.set_title(title)",
    "        ax.set_xlabel(unit)",
    "        ax.invert_yaxis()",
    "    fig.tight_layout()",
    "    plt.show()",
)


CLAIMS = (
    py(
        "native_start = startup.get('native process, gcc -O2 (fork+exec)')",
        "container = startup.get(CONTAINER)",
        "wasm_start = startup['wasmtime, Cranelift opt speed (instantiate)']",
        "cli_start = startup.get('wasmtime-cli (whole process)')",
        "native_run = execution.get('native, gcc -O2')",
        "wasm_run = execution['wasmtime, Cranelift opt speed']",
        "print('Claim: start-up 100x faster than a (light) container.')",
        "if isinstance(container, float):",
        "    print(f'   a container here (runc, whole process): {container * 1e3:.1f} ms')",
        "    print(f'   a wasm instance in a host already running: {wasm_start * 1e3:.3f} ms,'",
        "          f' {container / wasm_start:.0f}x faster than the container')",
        "    if isinstance(cli_start, float):",
        "        print(f'   the wasmtime command line, a whole process: {cli_start * 1e3:.1f} ms,'",
        "              f' {container / cli_start:.1f}x faster than the container')",
        "    print('   the 100x holds for an instance inside a running host, not for a runtime'",
        "          ' started as a process of its own')",
        "else:",
        "    print('   container here:', container)",
        "    if isinstance(native_start, float):",
        "        print(f'   a native process starts in {native_start * 1e3:.3f} ms,'",
        "              f' a wasm instance in {wasm_start * 1e3:.4f} ms; a container starts a process'",
        "              ' and more, so it is slower still')",
        "print('Claim: execution 10 to 50 % faster (and WasmEdge 20 % faster than a container).')",
        "if isinstance(native_run, float):",
        "    speed = native_run / wasm_run * 100",
        "    print(f'   measured: Cranelift {wasm_run:.3f} ns/round, gcc -O2 {native_run:.3f} ns/round:'",
        "          f' wasm runs at {speed:.0f} % of native speed on this loop (the claim would be 110-150 %)')",
        "print('   WasmEdge:', startup.get('wasmedge (whole process)', 'not measured'))",
    ),
    py(
        "natif_dem = startup.get('native process, gcc -O2 (fork+exec)')",
        "conteneur = startup.get(CONTAINER)",
        "wasm_dem = startup['wasmtime, Cranelift opt speed (instantiate)']",
        "cli_dem = startup.get('wasmtime-cli (whole process)')",
        "natif_exec = execution.get('native, gcc -O2')",
        "wasm_exec = execution['wasmtime, Cranelift opt speed']",
        "print(\"Affirmation : démarrage 100 fois plus rapide qu'un conteneur (léger).\")",
        "if isinstance(conteneur, float):",
        "    print(f'   un conteneur ici (runc, processus entier) : {conteneur * 1e3:.1f} ms')",
        "    print(f'   une instance wasm dans un hôte déjà lancé : {wasm_dem * 1e3:.3f} ms,'",
        "          f' {conteneur / wasm_dem:.0f} fois plus vite que le conteneur')",
        "    if isinstance(cli_dem, float):",
        "        print(f'   la ligne de commande wasmtime, un processus entier : {cli_dem * 1e3:.1f} ms,'",
        "              f' {conteneur / cli_dem:.1f} fois plus vite que le conteneur')",
        "    print(\"   le facteur 100 vaut pour une instance dans un hôte qui tourne déjà, pas pour un\"",
        "          ' runtime lancé comme un processus à part')",
        "else:",
        "    print('   conteneur ici :', conteneur)",
        "    if isinstance(natif_dem, float):",
        "        print(f'   un processus natif démarre en {natif_dem * 1e3:.3f} ms,'",
        "              f' une instance wasm en {wasm_dem * 1e3:.4f} ms ; un conteneur lance un processus'",
        "              ' et plus encore, il est donc plus lent encore')",
        "print(\"Affirmation : exécution 10 à 50 % plus rapide (et WasmEdge 20 % plus rapide qu'un conteneur).\")",
        "if isinstance(natif_exec, float):",
        "    vitesse = natif_exec / wasm_exec * 100",
        "    print(f'   mesuré : Cranelift {wasm_exec:.3f} ns/tour, gcc -O2 {natif_exec:.3f} ns/tour :'",
        "          f' le wasm tourne à {vitesse:.0f} % de la vitesse native sur cette boucle (l’affirmation dirait 110-150 %)')",
        "print('   WasmEdge :', startup.get('wasmedge (whole process)', 'non mesuré'))",
    ),
)


#: routes of the escape table shown by default (all of them with ALL_ROUTES = True)
ESCAPE = (
    py(
        "ALL_ROUTES = False  # True: the 38 routes (about 15 s)",
        "shown = None if ALL_ROUTES else ['dotdot-read', 'absolute-etc-passwd', 'host-symlink-relative',",
        "    'host-symlink-to-dir', 'guest-symlink-relative', 'guest-symlink-chain',",
        "    'guest-symlink-dir-then-create', 'rename-out', 'unlink-out', 'hard-link-in']",
        "escape = compare.escape_table(routes=shown, unguarded=True)",
        "print(escape.to_text())",
    ),
    py(
        "ALL_ROUTES = False  # True : les 38 chemins (environ 15 s)",
        "shown = None if ALL_ROUTES else ['dotdot-read', 'absolute-etc-passwd', 'host-symlink-relative',",
        "    'host-symlink-to-dir', 'guest-symlink-relative', 'guest-symlink-chain',",
        "    'guest-symlink-dir-then-create', 'rename-out', 'unlink-out', 'hard-link-in']",
        "escape = compare.escape_table(routes=shown, unguarded=True)",
        "print(escape.to_text())",
    ),
)


CONFORMANCE = (
    py(
        "from wasikernel.conformance import PUBLISHED, conformance, find_cases, suite_folder",
        "WHOLE_SUITE = False  # True: the 72 programs under each runtime (about 2 minutes)",
        "suite = suite_folder()",
        "if suite is None:",
        "    print('The WASI suite is not on this machine (WASI_TESTSUITE); published counts on its 72:')",
        "    for engine, count in PUBLISHED.items():",
        "        print(f'  {engine:13} {count}/72')",
        "else:",
        "    names = None if WHOLE_SUITE else [case.name for case in find_cases(suite)][::8]",
        "    for engine in ('wasmtime', 'wasmtime-cli', 'node', 'pywasm', 'wasmer-sdk'):",
        "        counted = conformance(engine, names=names)",
        "        if counted.reason is not None:",
        "            print(f'  {engine:13} not counted: {counted.reason}')",
        "        else:",
        "            print(f'  {engine:13} {counted.passed}/{counted.total} passed'",
        "                  f' (on all 72, published: {PUBLISHED[engine]})')",
    ),
    py(
        "from wasikernel.conformance import PUBLISHED, conformance, find_cases, suite_folder",
        "WHOLE_SUITE = False  # True : les 72 programmes sous chaque runtime (environ 2 minutes)",
        "suite = suite_folder()",
        "if suite is None:",
        "    print(\"La suite WASI n'est pas sur cette machine (WASI_TESTSUITE) ; résultats publiés sur ses 72 :\")",
        "    for engine, count in PUBLISHED.items():",
        "        print(f'  {engine:13} {count}/72')",
        "else:",
        "    names = None if WHOLE_SUITE else [case.name for case in find_cases(suite)][::8]",
        "    for engine in ('wasmtime', 'wasmtime-cli', 'node', 'pywasm', 'wasmer-sdk'):",
        "        counted = conformance(engine, names=names)",
        "        if counted.reason is not None:",
        "            print(f'  {engine:13} non compté : {counted.reason}')",
        "        else:",
        "            print(f'  {engine:13} {counted.passed}/{counted.total} réussis'",
        "                  f' (sur les 72, résultat publié : {PUBLISHED[engine]})')",
    ),
)


#: the answer key of the exercise
CACHE_ANSWER = (
    "answer = (startup['wasmtime, Cranelift opt speed (compile + instantiate)']\n"
    "          / startup['wasmtime, Cranelift opt speed (instantiate)'])"
)


#: each runtime's peak memory and size on disk, beside a native process
FOOTPRINT = py(
    "footprint = compare.measure_footprint()",
    "print(compare.footprint_table(footprint))",
)


#: the chapter's size claim, and the peaks, beside the learner's figures
SIZE_CLAIMS = (
    py(
        "rows = {row.engine: row for row in footprint}",
        "box, cli = rows.get('container'), rows.get('wasmtime-cli')",
        "print('Claim: 1/100 of the size of a container.')",
        "if box and box.shipped_bytes and cli and cli.shipped_bytes:",
        "    print(f'   shipped per program: the container image {box.shipped_bytes / 1e6:.2f} MB,'",
        "          f' the wasm module {cli.shipped_bytes / 1e3:.1f} KB,'",
        "          f' {box.shipped_bytes / cli.shipped_bytes:.0f}x smaller')",
        "    print(f'   installed to run it: runc and the image {box.disk_bytes / 1e6:.1f} MB,'",
        "          f' the wasmtime command line {cli.disk_bytes / 1e6:.1f} MB')",
        "else:",
        "    print('   no container could be measured here:', box.reason if box else 'no row')",
        "print('Peak memory of one run of the hello program:')",
        "labels = {'native': 'a native process', 'container': 'a container (runc)',",
        "          'wasmtime-cli': 'the wasmtime command line', 'wasikernel': 'wasikernel run'}",
        "for engine, label in labels.items():",
        "    row = rows.get(engine)",
        "    peak = f'{row.peak_bytes / 2**20:6.1f} MiB' if row and row.peak_bytes else '     -'",
        "    print(f'   {label:28} {peak}')",
    ),
    py(
        "rows = {row.engine: row for row in footprint}",
        "box, cli = rows.get('container'), rows.get('wasmtime-cli')",
        "print(\"Affirmation : 1/100 de la taille d'un conteneur.\")",
        "if box and box.shipped_bytes and cli and cli.shipped_bytes:",
        "    print(f\"   livré pour chaque programme : l'image du conteneur {box.shipped_bytes / 1e6:.2f} Mo,\"",
        "          f' le module wasm {cli.shipped_bytes / 1e3:.1f} ko,'",
        "          f' {box.shipped_bytes / cli.shipped_bytes:.0f} fois plus petit')",
        "    print(f\"   installé pour le lancer : runc et l'image {box.disk_bytes / 1e6:.1f} Mo,\"",
        "          f' la ligne de commande wasmtime {cli.disk_bytes / 1e6:.1f} Mo')",
        "else:",
        "    print(\"   aucun conteneur n'a pu être mesuré ici\")",
        "print(\"Pic de mémoire d'une exécution du programme hello :\")",
        "labels = {'native': 'un processus natif', 'container': 'un conteneur (runc)',",
        "          'wasmtime-cli': 'la ligne de commande wasmtime', 'wasikernel': 'wasikernel run'}",
        "for engine, label in labels.items():",
        "    row = rows.get(engine)",
        "    pic = f'{row.peak_bytes / 2**20:6.1f} Mio' if row and row.peak_bytes else '     -'",
        "    print(f'   {label:30} {pic}')",
    ),
)


#: lesson 7's use-case exercise: the learner's start, and the answer key
CHOICE_START = (
    py(
        "choice = {",
        "    'iot': '',         # an IoT device: a small chip, little memory, little flash",
        "    'serverless': '',  # a serverless function: started cold for request after request",
        "    'plugin': '',      # a plugin inside a Python application",
        "    'class': '',       # a class of 30 students, each with a notebook, on one server",
        "}",
        "print('names:', ', '.join(RUNTIME_NAMES))",
        'answered("07-choosing-a-runtime.ex2", check_runtime_choice(choice, footprint))',
    ),
    py(
        "choice = {",
        "    'iot': '',         # un objet connecté : une petite puce, peu de mémoire et de flash",
        "    'serverless': '',  # une fonction serverless : lancée à froid, requête après requête",
        "    'plugin': '',      # un greffon dans une application Python",
        "    'class': '',       # une classe de 30 élèves, chacun son notebook, sur un serveur",
        "}",
        "print('noms :', ', '.join(RUNTIME_NAMES))",
        'answered("07-choosing-a-runtime.ex2", check_runtime_choice(choice, footprint))',
    ),
)
CHOICE_ANSWER = tuple(
    start.replace("'iot': '',  ", "'iot': 'wasm3',")
    .replace("'serverless': '',", "'serverless': 'wasmtime',")
    .replace("'plugin': '',    ", "'plugin': 'wasmtime',")
    .replace("'class': '',     ", "'class': 'wasikernel',")
    for start in CHOICE_START
)


#: the reasons a French notebook prints for a runtime it could not measure
NOT_MEASURED_FR = (
    ("not measured: {why}", "non mesuré : {why}"),
    ("not measured: {runtime.available()}", "non mesuré : {runtime.available()}"),
    ("not measured: no C compiler on PATH", "non mesuré : aucun compilateur C dans le PATH"),
    ("not measured: no node on PATH", "non mesuré : node n\\'est pas dans le PATH"),
    ("not measured: pywasm3 is not installed", "non mesuré : pywasm3 n\\'est pas installé"),
    ("not measured: {error}", "non mesuré : {error}"),
    ("not measured: {result.trap.message}", "non mesuré : {result.trap.message}"),
)


#: the names a French notebook gives the rows of its start-up and execution tables (longest
#: first: a name may hold a shorter one)
LABELS_FR = (
    ("native process, gcc -O2 (fork+exec)", "processus natif, gcc -O2 (fork+exec)"),
    ("native, gcc -O2", "natif, gcc -O2"),
    ("container (runc, busybox image, whole process)",
     "conteneur (runc, image busybox, processus entier)"),
    ("' (compile + instantiate)'", "' (compilation + instanciation)'"),
    (" (compile + instantiate)'", " (compilation + instanciation)'"),
    ("' (instantiate)'", "' (instanciation)'"),
    (" (instantiate)'", " (instanciation)'"),
    ("wasmtime, Pulley interpreter", "wasmtime, interpréteur Pulley"),
    ("wasm3 via pywasm3 (load)", "wasm3 via pywasm3 (chargement)"),
    ("node process, V8 (whole run)", "processus node, V8 (exécution complète)"),
    ("' (whole run)'", "' (exécution complète)'"),
    ("our WASI host on wasmtime", "notre hôte WASI sur wasmtime"),
    ("our step-through interpreter", "notre interpréteur pas à pas"),
    (" (whole process)'", " (processus entier)'"),
)


def _measured_in_french(src: str) -> str:
    for en, fr in NOT_MEASURED_FR + LABELS_FR:
        src = src.replace(en, fr)
    return src


CELLS = [
    md(
        """
# 7 · Choosing a runtime

**Goals.** Know the main WASI runtimes and who makes them; measure, on this very machine, how
fast a module starts and runs under each engine available here; and set the claims usually made
about WebAssembly beside your own figures.

## The runtimes

- **WasmEdge** (Second State, a sandbox project of the CNCF): light and extensible, aimed at
  cloud-native, edge and decentralised applications: serverless functions behind a static
  front-end (Jamstack), cars, IoT. Extensions add TensorFlow, Ethereum and network sockets
  (built on the WASI-sockets proposal). Its makers claim, against Linux containers, up to
  **100x faster start-up**, **20 % faster execution** and **1/100 of the size**.
- **Wasmtime** (the Bytecode Alliance, a non-profit): a command-line tool and a library to
  embed (this kernel embeds it through `wasmtime-py`). It compiles with **Cranelift** for every
  use, which can cost speed in some cases compared with Wasmer's choice of back-ends. It now
  also ships **Pulley**, a portable interpreter for machines Cranelift cannot target.
- **Wasmer**: 1.0 came out at the start of 2021; made to be embedded in many host languages,
  to run the same binary on any system and chip, and to bridge modules to the OS through ABIs
  such as WASI. Its back-ends are pluggable (Cranelift among them); its developers ran an
  unmodified Nginx on it; it came with a package manager, **wapm**.
- **The Bytecode Alliance** (founded by Mozilla, Fastly, Intel and Red Hat, since joined by
  Amazon, ARM, Docker, Google, Microsoft and others) implements the W3C's WASM and WASI
  standards: Wasmtime; **Lucet**, ahead-of-time compilation for low latency and high
  concurrency (since folded into Wasmtime); **WAMR**, the WebAssembly Micro Runtime, an
  interpreter for embedded devices (its CLI is `iwasm`); **Cranelift**, a code generator
  written in Rust that puts safety first.

No runtime wins everywhere: the standards and their implementations are young, so the honest
answer is to measure for your own use. That is what this lesson does.
""",
        """
# 7 · Choisir un runtime

**Objectifs.** Connaître les principaux runtimes WASI et ceux qui les font ; mesurer, sur cette
machine même, la vitesse de démarrage et d'exécution d'un module sous chaque moteur disponible ;
et mettre les affirmations habituelles sur le WebAssembly à côté de vos propres chiffres.

## Les runtimes

- **WasmEdge** (Second State, projet « sandbox » de la CNCF) : léger et extensible, pensé pour
  les applications cloud native, edge et décentralisées : fonctions serverless derrière un
  front-end statique (Jamstack), automobile, IoT. Des extensions ajoutent TensorFlow, Ethereum
  et les sockets réseau (fondées sur la proposition WASI-sockets). Ses auteurs annoncent, face
  aux conteneurs Linux, un **démarrage jusqu'à 100 fois plus rapide**, une **exécution 20 %
  plus rapide** et **1/100 de la taille**.
- **Wasmtime** (la Bytecode Alliance, sans but lucratif) : un outil en ligne de commande et une
  bibliothèque à embarquer (ce noyau Jupyter l'embarque via `wasmtime-py`). Il compile avec
  **Cranelift** dans tous les cas, ce qui peut coûter en vitesse dans certains usages face aux
  back-ends au choix de Wasmer. Il fournit aussi désormais **Pulley**, un interpréteur portable
  pour les machines que Cranelift ne sait pas viser.
- **Wasmer** : la version 1.0 est sortie début 2021 ; conçu pour être embarqué dans de nombreux
  langages hôtes, pour faire tourner le même binaire sur tout système et toute puce, et pour
  relier les modules au système par des ABI comme WASI. Ses back-ends sont interchangeables
  (Cranelift parmi eux) ; ses développeurs y ont fait tourner un Nginx non modifié ; il
  s'accompagnait d'un gestionnaire de paquets, **wapm**.
- **La Bytecode Alliance** (fondée par Mozilla, Fastly, Intel et Red Hat, rejoints depuis par
  Amazon, ARM, Docker, Google, Microsoft et d'autres) implémente les standards WASM et WASI du
  W3C : Wasmtime ; **Lucet**, compilation à l'avance pour une faible latence et une forte
  concurrence (depuis fondu dans Wasmtime) ; **WAMR**, le WebAssembly Micro Runtime, un
  interpréteur pour l'embarqué (sa CLI s'appelle `iwasm`) ; **Cranelift**, un générateur de
  code écrit en Rust qui met la sûreté au premier plan.

Aucun runtime ne gagne partout : les standards et leurs implémentations sont jeunes, la
réponse honnête est donc de mesurer pour son propre usage. C'est ce que fait cette leçon.
""",
    ),
    md(
        """
## The workload

One module for every engine: `work(n)` runs `n` rounds of a small random generator. It makes no
WASI call, so it measures the engine alone. The native baseline is the same loop in C, compiled
with `gcc -O2`, timed inside the process. Each cell below measures a few engines; an engine
that is not on this machine is reported as *not measured*, with the reason, never with a made-up
figure.
""",
        """
## La charge de travail

Un seul module pour tous les moteurs : `work(n)` exécute `n` tours d'un petit générateur
aléatoire. Il ne fait aucun appel WASI : on mesure donc le moteur seul. La référence native est
la même boucle en C, compilée avec `gcc -O2`, chronométrée dans le processus. Chaque cellule
ci-dessous mesure quelques moteurs ; un moteur absent de cette machine est signalé *not
measured*, avec la raison, jamais avec un chiffre inventé.
""",
    ),
    code(SETUP),
    code(NATIVE, _measured_in_french(NATIVE)),
    code(WASMTIME, _measured_in_french(WASMTIME)),
    code(OTHERS, _measured_in_french(OTHERS)),
    md(
        """
Every engine above also runs under **our** WASI host, through the adapters of
`wasikernel.engines` (the command-line runtimes only when they are on PATH). A whole run of the
hello module, host and trace included:
""",
        """
Chacun des moteurs ci-dessus tourne aussi sous **notre** hôte WASI, grâce aux adaptateurs de
`wasikernel.engines` (les runtimes en ligne de commande seulement s'ils sont dans le PATH). Une
exécution complète du module hello, hôte et trace compris :
""",
    ),
    code(ENGINES, _measured_in_french(ENGINES)),
    md(
        """
### Whole programs: `wasikernel.compare`

The project's own comparison does the same with a C program compiled to wasm, against the same
C built natively and started as a process: a container (`runc` with a busybox root filesystem,
where this machine lets one start), `wasikernel run` as a whole process, each runtime with a
WASI of its own (the wasmtime command line, Node, pywasm, Wasmer) and the engines of our host.
Its start-up table takes a few seconds; its execution table (a C benchmark at `-O2` against
`gcc -O2`, start-up subtracted) about half a minute, so it runs only when you ask.
""",
        """
### Des programmes entiers : `wasikernel.compare`

La comparaison du projet fait de même avec un programme C compilé en wasm, face au même C
compilé en natif et lancé comme processus : un conteneur (`runc` avec un système de fichiers
racine busybox, là où la machine permet d'en lancer un), `wasikernel run` comme processus
entier, chaque runtime doté de son propre WASI (la ligne de commande wasmtime, Node, pywasm,
Wasmer) et les moteurs de notre hôte. Son tableau de démarrage prend quelques secondes ; son tableau d'exécution (un
banc d'essai C en `-O2` face à `gcc -O2`, démarrage soustrait) environ une demi-minute : il ne
tourne que si vous le demandez.
""",
    ),
    code(
        py(
            "from wasikernel import compare",
            "print(compare.to_table(compare.measure_startup(repeat=3)))",
        )
    ),
    code(
        *french(
            py(
                "LONG = False  # True: also measure execution (about 30 s)",
                "if LONG:",
                "    print(compare.to_table(compare.measure_execution()))",
                "else:",
                "    print('execution table skipped: set LONG = True and run this cell again')",
            ),
            ("# True: also measure execution (about 30 s)", "# True : mesurer aussi l'exécution (environ 30 s)"),
            ("'execution table skipped: set LONG = True and run this cell again'",
             "'tableau d\\'exécution non calculé : mettez LONG = True et relancez cette cellule'"),
        )
    ),
    md(
        """
## Sandbox strength, measured

A runtime's sandbox is only as good as its implementation of WASI. The table below runs the
project's own escape routes (the programs its host's tests use: `..`, absolute paths, symbolic
links left by the host or made by the guest, hard links, renames) under each runtime that takes
a folder. *held*: nothing outside the folder was read, changed or listed; *leaked*: something
was; *refused to run*: this project would not hand that folder to that runtime (a link in it
leads out, or the runtime's WASI cannot keep a guest inside any folder), and in brackets what
the runtime alone does with it. Node and pywasm are refused every folder: their WASI follows a
link the guest makes during the run (`guest-symlink-chain`), which no check made before the run
can foresee and which a copy of the folder would not stop either.
""",
        """
## La solidité du bac à sable, mesurée

Le bac à sable d'un runtime ne vaut que ce que vaut son implémentation de WASI. Le tableau
ci-dessous lance les chemins d'évasion du projet (les programmes des tests de son hôte : `..`,
chemins absolus, liens symboliques laissés par l'hôte ou créés par l'invité, liens physiques,
renommages) sous chaque runtime qui accepte un dossier. *tenu* : rien hors du dossier n'a été
lu, modifié ni listé ; *fuite* : quelque chose l'a été ; *exécution refusée* : ce projet ne
confie pas ce dossier à ce runtime (un lien y mène dehors, ou le WASI du runtime ne sait garder
un invité dans aucun dossier), et entre parenthèses ce que fait le runtime seul. Node et pywasm
se voient refuser tout dossier : leur WASI suit un lien que l'invité crée pendant l'exécution
(`guest-symlink-chain`), ce qu'aucune vérification faite avant l'exécution ne peut prévoir et
qu'une copie du dossier n'empêcherait pas non plus.
""",
    ),
    code(*ESCAPE),
    md(
        """
## Conformance: the WASI test suite

The WASI conformance suite (72 preview 1 programs in C, Rust and AssemblyScript) under each
runtime, judged as its upstream runner judges them. One program in eight runs by default; set
`WHOLE_SUITE = True` for all 72.
""",
        """
## Conformité : la suite de tests WASI

La suite de conformité WASI (72 programmes preview 1 en C, Rust et AssemblyScript) sous chaque
runtime, jugée comme la juge son lanceur officiel. Un programme sur huit tourne par défaut ;
mettez `WHOLE_SUITE = True` pour les 72.
""",
    ),
    code(*CONFORMANCE),
    md(
        """
## Your figures

Start-up counts two things for wasm: compiling the module (Cranelift's work, done once and
cachable) and instantiating it (done for every request). A process pays `fork` + `exec` + the
dynamic loader every time.
""",
        """
## Vos chiffres

Pour le wasm, le démarrage compte deux choses : compiler le module (le travail de Cranelift,
fait une fois et qu'on peut mettre en cache) et l'instancier (fait à chaque requête). Un
processus paie à chaque fois `fork` + `exec` + le chargeur dynamique.
""",
    ),
    code(
        *french(
            TABLE,
            ("'start-up (median)'", "'démarrage (médiane)'"),
            ("'execution of work(n)'", "'exécution de work(n)'"),
            ("'ns per round'", "'ns par tour'"),
        )
    ),
    code(
        *french(
            PLOT,
            ("('start-up', startup", "('démarrage', startup"),
            ("'ms (log scale)'", "'ms (échelle log)'"),
            ("('execution of work(n)', execution", "('exécution de work(n)', execution"),
            ("'ns per round (log scale)'", "'ns par tour (échelle log)'"),
            ("'matplotlib is not installed: the table above is all there is'",
             "'matplotlib n\\'est pas installé : le tableau ci-dessus suffira'"),
        )
    ),
    md(
        """
### Memory and disk

Start-up is one cost; what a runtime takes is another. Each runtime below runs the hello
program once, as a process of its own, and the kernel reports the largest resident memory that
process reached (`ru_maxrss`); beside it, the bytes the runtime needs on disk. Each ratio is to
the native process measured in the same call.
""",
        """
### Mémoire et disque

Le démarrage est un coût ; ce qu'un runtime occupe en est un autre. Chaque runtime ci-dessous
exécute une fois le programme hello, dans un processus à lui, et le noyau du système donne la
plus grande mémoire résidente que ce processus a atteinte (`ru_maxrss`) ; à côté, les octets
dont le runtime a besoin sur le disque. Chaque rapport est fait au processus natif mesuré dans
le même appel.
""",
    ),
    code(FOOTPRINT),
    md(
        """
## The claims, beside the measurements
""",
        """
## Les affirmations, à côté des mesures
""",
    ),
    code(CLAIMS[0], _measured_in_french(CLAIMS[1])),
    code(*SIZE_CLAIMS),
    md(
        """
**What this comparison shows, and what it does not.** What one ships per program, the wasm
module, is far smaller than even this busybox image, so "1/100 of the size" holds for the
artefact; but a real image (Debian, Python, a web server) weighs tens or hundreds of megabytes,
not the few here, so the ratio is only as large as the image you compare with. The runtime
that runs the module is another matter: the wasmtime command line needs more on disk than runc,
and its peak (Cranelift compiling) is higher than a container's. A host that keeps running
shares one runtime between many instances; a lone process pays for all of it.
""",
        """
**Ce que montre cette comparaison, et ce qu'elle ne montre pas.** Ce qu'on livre pour chaque
programme, le module wasm, est bien plus petit que même cette image busybox : « 1/100 de la
taille » tient pour l'artefact ; mais une vraie image (Debian, Python, un serveur web) pèse des
dizaines ou des centaines de mégaoctets, pas les quelques-uns d'ici, et le rapport n'est grand
que si l'image comparée l'est. Le runtime qui fait tourner le module est une autre affaire : la
ligne de commande wasmtime prend plus de place sur le disque que runc, et son pic (Cranelift
qui compile) dépasse celui d'un conteneur. Un hôte qui reste lancé partage un seul runtime
entre de nombreuses instances ; un processus seul paie tout.
""",
    ),
    md(
        """
**Think about it.** The loop here is friendly to every compiler; a program that calls the host
often (file I/O through a WASI layer) pays for each crossing instead. Which of the chapter's
claims did your machine confirm, and which compared wasm with something other than what you
measured?

## Exercise: a ratio

A host that compiles a module once and keeps it pays only for instantiating it at each
request. How many times longer does wasmtime take to start a module when it compiles it too
than when it only instantiates a compiled one, at the same optimisation level, on this machine?
Compute it from the start-up table (`startup[...]`) and put the number in `answer`.
""",
        """
**Réfléchissez.** La boucle d'ici plaît à tous les compilateurs ; un programme qui appelle
souvent l'hôte (des entrées-sorties à travers une couche WASI) paie au contraire chaque passage.
Lesquelles des affirmations du chapitre votre machine a-t-elle confirmées, et lesquelles
comparaient le wasm à autre chose que ce que vous avez mesuré ?

## Exercice : un rapport

Un hôte qui compile un module une fois et le garde ne paie, à chaque requête, que son
instanciation. Combien de fois plus de temps wasmtime met-il à démarrer un module quand il le
compile aussi que quand il instancie seulement un module déjà compilé, au même niveau
d'optimisation, sur cette machine ? Calculez-le à partir du tableau de démarrage (`startup[...]`)
et mettez le nombre dans `answer`.
""",
    ),
    *exercise(
        "07-choosing-a-runtime.ex1",
        py("answer = 0  # replace with your ratio",
           'answered("07-choosing-a-runtime.ex1", check_cache_saving(answer, startup))'),
        py(CACHE_ANSWER,
           'answered("07-choosing-a-runtime.ex1", check_cache_saving(answer, startup))'),
        py("answer = 0  # remplacez par votre rapport",
           'answered("07-choosing-a-runtime.ex1", check_cache_saving(answer, startup))'),
        _measured_in_french(py(CACHE_ANSWER,
           'answered("07-choosing-a-runtime.ex1", check_cache_saving(answer, startup))')),
    ),
    md(
        """
## Exercise: which runtime for which use?

No runtime wins everywhere; your tables (start-up, execution, memory and disk, escape routes,
conformance) say which fits where. For each use case, write in `choice` the name of the runtime
you would pick (the names are printed by the cell). The check does not tell you the answer: it
tells you which figure to weigh.
""",
        """
## Exercice : quel runtime pour quel usage ?

Aucun runtime ne gagne partout ; vos tableaux (démarrage, exécution, mémoire et disque,
chemins d'évasion, conformité) disent lequel convient où. Pour chaque usage, écrivez dans
`choice` le nom du runtime que vous choisiriez (la cellule affiche les noms). La vérification
ne vous donne pas la réponse : elle vous dit quel chiffre peser.
""",
    ),
    *exercise(
        "07-choosing-a-runtime.ex2",
        CHOICE_START[0],
        CHOICE_ANSWER[0],
        CHOICE_START[1],
        CHOICE_ANSWER[1],
    ),
    md(
        """
## Summary

- Instantiating a compiled module takes microseconds; starting a process takes about a
  millisecond, a container far more: the start-up claim holds in spirit.
- With Cranelift, this loop runs close to `gcc -O2`; interpreters (Pulley, wasm3, our stepper)
  are many times slower but start fast and run anywhere.
- "Faster than native" depends on the workload and on what is compared: measure your own case.
""",
        """
## À retenir

- Instancier un module compilé prend quelques microsecondes ; lancer un processus, environ une
  milliseconde, un conteneur bien plus : l'affirmation sur le démarrage tient sur le fond.
- Avec Cranelift, cette boucle tourne près de `gcc -O2` ; les interpréteurs (Pulley, wasm3,
  notre stepper) sont bien plus lents mais démarrent vite et tournent partout.
- « Plus rapide que le natif » dépend de la charge et de ce qu'on compare : mesurez votre cas.
""",
    ),
]
