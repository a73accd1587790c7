"""A small lesson written the way the lessons are, and the ways students answer it (shared by the grading tests).

One lesson (conv_output_size, max_pool_forward_naive, max_pool_backward_naive: fast
checks), its student copy made by ``cnnlab release``, and helpers to answer it.
"""

import hashlib
import textwrap

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cnnlab import exercises

SOLUTIONS = {
    "conv_output_size": """
        return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1
    """,
    "max_pool_forward_naive": """
        x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
        out = np.zeros(x.shape[:2] + (Ho, Wo), dtype=x.dtype)
        for i in range(Ho):
            for j in range(Wo):
                out[:, :, i, j] = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].max(axis=(2, 3))
        return out, (x, pool_param)
    """,
    "max_pool_backward_naive": """
        x, pool_param = cache
        x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
        dx = np.zeros_like(x)
        for n, c, i, j in np.ndindex(*dout.shape):
            window = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
            p, q = np.unravel_index(np.argmax(window), window.shape)
            dx[n, c, i * sh + p, j * sw + q] += dout[n, c, i, j]
        return dx
    """,
}
SIGNATURES = {
    "conv_output_size": "conv_output_size(size, kernel, stride, pad, dilation)",
    "max_pool_forward_naive": "max_pool_forward_naive(x, pool_param)",
    "max_pool_backward_naive": "max_pool_backward_naive(dout, cache)",
}
POINTS = {"conv_output_size": 1, "max_pool_forward_naive": 1, "max_pool_backward_naive": 2}
WRONG_BACKWARD = SOLUTIONS["max_pool_backward_naive"].replace("] += dout", "] = dout")  # overlaps not summed
TIMEOUT = 15  # seconds per submission: ample for these cells on a busy machine; the hanging one waits this long


def body(name, code=None):
    return textwrap.indent(textwrap.dedent(code or SOLUTIONS[name]).strip(), "    ")


def exercise_cell(name):
    source = f'def {SIGNATURES[name]}:\n    """Shapes first, as in the lessons."""\n    ### BEGIN SOLUTION\n{body(name)}\n    ### END SOLUTION'
    meta = {"grade": False, "grade_id": name, "locked": False, "schema_version": 3, "solution": True, "task": False}
    return new_code_cell(source, metadata={"nbgrader": meta, "tags": ["raises-exception"]})


def check_cell(name, forward=None):
    call = f'exercises.check("{name}", {name}' + (f", forward={forward})" if forward else ")")
    source = f"result = {call}\n### BEGIN HIDDEN TESTS\nassert result.passed, result\n### END HIDDEN TESTS\nresult"
    meta = {"grade": True, "grade_id": f"check_{name}", "locked": True, "points": POINTS[name], "schema_version": 3}
    meta.update(solution=False, task=False)
    reference = exercises.reference(name)

    def correct(*args):
        return reference(*args)

    verdict = exercises.check(name, correct)  # what a correct solution shows, as a fresh run stores it
    output = new_output("execute_result", {"text/plain": str(verdict), "text/html": verdict._repr_html_()})
    return new_code_cell(source, metadata={"nbgrader": meta, "tags": ["nbval-check-output"]}, outputs=[output])


def lesson():
    """A lesson as the lesson authors write them, with its verdicts stored (as after `notebooks run`)."""
    return new_notebook(
        cells=[
            new_markdown_cell("# Pooling\n\nIn this lesson you will ..."),
            new_code_cell("import numpy as np\n\nfrom cnnlab import exercises, shapes"),
            exercise_cell("conv_output_size"),
            check_cell("conv_output_size"),
            new_code_cell("print(shapes.conv_output_size(7, 3, 2, 1, 1))", outputs=[new_output("stream", text="4\n")]),
            exercise_cell("max_pool_forward_naive"),
            check_cell("max_pool_forward_naive"),
            exercise_cell("max_pool_backward_naive"),
            check_cell("max_pool_backward_naive", forward="max_pool_forward_naive"),
            new_markdown_cell("## Summary"),
        ]
    )


def release_lesson(root):
    """Write the lesson to ``root/lessons/04_pooling.ipynb`` and release it with `cnnlab release` into
    ``root/release``; the student copy's JSON text."""
    from cnnlab import cli

    source = root / "lessons" / "04_pooling.ipynb"
    source.parent.mkdir()
    nbformat.write(lesson(), str(source))
    assert cli.main(["release", str(source), "--out", str(root / "release")]) == 0
    return (root / "release" / "04_pooling.ipynb").read_text()


def digest(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def answer(released_text, name, code=None):
    """A released notebook's JSON text with the stub of ``name`` replaced by ``code`` (default: the solution)."""
    nb = nbformat.reads(released_text, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == name and "NotImplementedError" in cell.source:
            cell.source = "\n".join(
                body(name, code) if "NotImplementedError" in line else line for line in cell.source.splitlines()
            )
    return nbformat.writes(nb)


def add_cells(text, *sources, at=None):
    nb = nbformat.reads(text, as_version=4)
    cells = [new_code_cell(s) for s in sources]
    nb.cells[at if at is not None else len(nb.cells) : at if at is not None else len(nb.cells)] = cells
    return nbformat.writes(nb)
