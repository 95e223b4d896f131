"""Debian's jupyter_kernel_test against the shipped dealkit kernel spec, with a sample for every test it has.

Run through run.py (npm test does), which puts kernels-config/ on JUPYTER_PATH and starts the kernel from a
fresh folder outside the repository, so `import ... from "dealkit"` must resolve the way it does for a notebook
anywhere. Expected values are written down by hand from the protocol (messaging 5.3) and TypeScript semantics.
"""

import jupyter_kernel_test


class DealkitKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "dealkit"
    language_name = "typescript"
    file_extension = ".ts"

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
