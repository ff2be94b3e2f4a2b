"""``WasiKernel``: an IPython kernel whose cells are WAT unless a magic says otherwise."""

from __future__ import annotations

from ipykernel.ipkernel import IPythonKernel


class WasiKernel(IPythonKernel):
    """The kernel shown in Jupyter as "WASI (WAT, C, Rust)".

    It subclasses ``IPythonKernel`` so widgets, comms and Python cells keep working.
    """

    implementation = "wasikernel"
    implementation_version = "0.1.0"
    banner = "WASI kernel: WebAssembly cells in WAT, C and Rust, run under a tracing WASI host"
    language_info = {
        "name": "wat",
        "mimetype": "text/webassembly",
        "file_extension": ".wat",
        "codemirror_mode": "WebAssembly",
        "pygments_lexer": "wat",
    }
