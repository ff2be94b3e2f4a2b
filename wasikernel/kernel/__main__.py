"""Start the WASI kernel: ``python -m wasikernel.kernel -f CONNECTION_FILE``."""

from ipykernel.kernelapp import IPKernelApp

from .kernel import WasiKernel

IPKernelApp.launch_instance(kernel_class=WasiKernel)
