"""Debian's jupyter_kernel_test against the shipped dealkit kernel spec, with a sample for every test it has.

Run through run.py (npm test does), which puts kernels-config/ on JUPYTER_PATH and starts the kernel from a
fresh folder outside the repository, so `import ... from "dealkit"` must resolve the way it does for a notebook
anywhere. Expected values are written down by hand from the protocol (messaging 5.3) and TypeScript semantics.
"""

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel

STARTUP_TIMEOUT = 300
# jupyter_kernel_test waits 15 s for a reply (its TIMEOUT, also bound as the default of execute_helper and
# history_helper). On a busy shared machine, under `nice`, a kernel can take longer for any request: the tests
# check what the kernel answers, not how fast, so they wait longer here.
REPLY_TIMEOUT = 180
jupyter_kernel_test.TIMEOUT = REPLY_TIMEOUT
WARM_UP = 'import { VERSION, showHtml, clearOutput } from "dealkit";\nimport * as tslab from "tslab";\nVERSION'


class DealkitKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "dealkit"
    language_name = "typescript"
    file_extension = ".ts"

    @classmethod
    def setUpClass(cls):
        # KernelTests.setUpClass with a longer start-up allowance (its 60 s are short on a busy shared machine).
        cls.km, cls.kc = start_new_kernel(kernel_name=cls.kernel_name, startup_timeout=STARTUP_TIMEOUT)
        # A fresh kernel's first cell that imports dealkit loads TensorFlow.js and type-checks dealkit's
        # declarations (seconds, more on a busy machine): done once here, so each test's request is an ordinary one.
        reply = cls.kc.execute_interactive(WARM_UP, timeout=STARTUP_TIMEOUT, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]

    def execute_helper(self, code, timeout=REPLY_TIMEOUT, **kw):
        return super().execute_helper(code, timeout=timeout, **kw)

    def history_helper(self, execute_first, timeout=REPLY_TIMEOUT, **histargs):
        return super().history_helper(execute_first, timeout=timeout, **histargs)

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("to stderr")'

    # Completion after a member access: Math has exactly one member starting with "ma".
    completion_samples = [
        {"text": "Math.ma", "matches": {"max"}},
        {"text": "[1, 2].fil", "matches": {"fill", "filter"}},
    ]

    complete_code_samples = ["1 + 1", "const x = 1;", "function f() {\n  return 1;\n}", "Math.max?"]
    incomplete_code_samples = ["function f() {", "const xs = [1,", "foo(", "`a template\nspanning lines", "/* a comment"]
    invalid_code_samples = ["1 +* 2", "const = 5;", "}", "'a string does not continue"]

    # IPython's `obj?`: the pager shows the signature and docs.
    code_page_something = "Math.max?"

    code_generate_error = 'throw new Error("deliberate")'

    # Out[n] is what node's REPL shows for the value.
    code_execute_result = [
        {"code": "1 + 1", "result": "2"},
        {"code": "'dea' + 'lkit'", "result": "'dealkit'"},
        {"code": "[1, 2].map((x) => x * 10)", "result": "[ 10, 20 ]"},
    ]
    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": 'import { showHtml } from "dealkit";\nshowHtml("<b>hello</b>");', "mime": "text/html"},
        {"code": 'import * as tslab from "tslab";\ntslab.display.markdown("**hello**");', "mime": "text/markdown"},
    ]

    code_inspect_sample = "Math.max"

    code_clear_output = 'import { clearOutput } from "dealkit";\nclearOutput();'
