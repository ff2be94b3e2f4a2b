"""The WASI kernel speaks the Jupyter protocol: jupyter_kernel_test's checks, with WAT cells."""

from __future__ import annotations

import jupyter_kernel_test
import pytest
from _kernel_wat import HELLO, TO_STDERR


class WasiKernelProtocolTests(jupyter_kernel_test.KernelTests):
    kernel_name = "wasi"
    language_name = "wat"
    file_extension = ".wat"

    # a cell with no magic is WAT: this one calls fd_write(1, ...) with "hello, world\n"
    code_hello_world = HELLO
    code_stderr = TO_STDERR

    completion_samples = [
        {"text": "(module (func i32.ad", "matches": {"i32.add"}},
        {"text": "(module (func i64.extend_i32", "matches": {"i64.extend_i32_s",
                                                           "i64.extend_i32_u"}},
        {"text": '(import "wasi_snapshot_preview1" "fd_wr', "matches": {"fd_write"}},
        {"text": "local.t", "matches": {"local.tee"}},
        {"text": "%%c\nint main(void) { __wasi_path_unl", "matches": {"__wasi_path_unlink_file"}},
        {"text": "%%python\nimport wasikernel\nwasikernel.load_ipython_ext",
         "matches": {"load_ipython_extension"}},
    ]

    complete_code_samples = ["(module)", '(module (func (export "f")))\n;; done (', "(; ( ;)"]
    incomplete_code_samples = ["(module", '(module (data "a)b")', "(module\n  (func"]
    invalid_code_samples = ["(module))", ")"]

    code_inspect_sample = "path_open"
    code_page_something = "fd_write?"

    # a C cell that does not compile: an error reply, without a Python traceback
    code_generate_error = "%%c\nint main(void) { return }\n"

    code_execute_result = [
        {"code": "%%python\n6 * 7", "result": "42"},
        {"code": "%%python\n'wat'.upper()", "result": "'WAT'"},
    ]
    code_display_data = [{"code": "%sandbox", "mime": "text/plain"}]

    code_clear_output = "%%python\nfrom IPython.display import clear_output\nclear_output()"

    code_history_pattern = "*upper()"
    # "range" is left out: IPython answers a range of the running session with session number
    # 0 where the test expects the absolute number, for the python3 kernel as well.
    supported_history_operations = ("tail", "search")

    def test_inspect_names_the_signature_and_says_what_the_call_does(self) -> None:
        self.flush_channels()
        self.kc.inspect('(call $x "fd_read" ', cursor_pos=13)
        reply = self.get_non_kernel_info_reply(timeout=30)
        text = reply["content"]["data"]["text/plain"]
        assert reply["content"]["found"]
        assert text.startswith("fd_read(fd: fd, iovs: iovec_array, result.nread: ptr<size>)")
        assert "Reads bytes" in text
        self.kc.inspect("local.tee", cursor_pos=5)
        reply = self.get_non_kernel_info_reply(timeout=30)
        assert reply["content"]["data"]["text/plain"].startswith("local.tee  [t] -> [t]")
        self.kc.inspect("i32.frobnicate", cursor_pos=5)
        reply = self.get_non_kernel_info_reply(timeout=30)
        assert reply["content"]["found"] is False

    @pytest.mark.zig
    def test_compile_error_shows_the_cell_line_and_no_python_traceback(self) -> None:
        self.flush_channels()
        reply, outputs = self.execute_helper(code=self.code_generate_error)
        assert reply["content"]["status"] == "error"
        errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
        text = "\n".join(errors[0]["traceback"])
        assert "cell.c:1:" in text and "expected expression" in text
        assert "Traceback" not in text and "File " not in text
