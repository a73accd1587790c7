"""Submissions that try to forge their grade or harm a classmate's, graded in both sandbox modes.

Each attack is a few lines in a notebook cell, as a student who means to cheat would
write them, added to the student copy of the small lesson of ``course.py`` (exercises
worth 1 + 1 + 2 points). Every test asserts the points the submission must get: what its
unsolved work deserves, or what an honest classmate's solved work deserves.

"sandbox" runs each kernel in bubblewrap (skipped where bwrap does not work, unless
CNNLAB_REQUIRE_SANDBOX is set, as in CI); "plain" sets CNNLAB_NO_SANDBOX and runs the
kernel as a plain process. In plain mode a submission can read and write the grader's
files: the tests say what still holds there (the judge is out of its reach, nothing it
starts survives, changed files are refused, classmates are graded again alone) and
what does not (it can read cnnlab's source from disk).
"""

import csv
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from course import SOLUTIONS, add_cells, answer, digest, lesson

from cnnlab import cli
from cnnlab.instructor import sandbox

ROOT = Path(__file__).resolve().parents[1]
MODES = ["sandbox", "plain"]
TIMEOUT = 40  # seconds per submission: the slowest attack below waits about 12 s


@pytest.fixture(params=MODES, scope="module")
def mode(request):
    """Sets (or unsets) CNNLAB_NO_SANDBOX for the judges this module starts."""
    if request.param == "sandbox":
        sandbox.available.cache_clear()
        if os.environ.get("CNNLAB_NO_SANDBOX") or sandbox.available() is None:
            if os.environ.get("CNNLAB_REQUIRE_SANDBOX"):
                pytest.fail("CNNLAB_REQUIRE_SANDBOX is set but bubblewrap does not work here")
            pytest.skip("bubblewrap (bwrap) does not work here")
    previous = os.environ.get("CNNLAB_NO_SANDBOX")
    if request.param == "plain":
        os.environ["CNNLAB_NO_SANDBOX"] = "1"
    else:
        os.environ.pop("CNNLAB_NO_SANDBOX", None)
    sandbox.available.cache_clear()
    yield request.param
    if previous is None:
        os.environ.pop("CNNLAB_NO_SANDBOX", None)
    else:
        os.environ["CNNLAB_NO_SANDBOX"] = previous
    sandbox.available.cache_clear()


def cells(*sources):
    return [textwrap.dedent(source).strip() for source in sources]


def solved(released):
    text = released
    for name in SOLUTIONS:
        text = answer(text, name)
    return text


def attacks(paths: dict) -> dict:
    """Submission name -> cells added to the unsolved copy (or, for "honest_*", to the solved one)."""
    token = paths["token"]
    return {
        # the checker and its results, replaced from a cell
        "patch_check": cells(
            """
            from cnnlab import exercises
            class Always:
                passed = True
                def __repr__(self): return "max_pool_forward_naive: PASS (8/8 cases; max relative error < 1e-7)"
            exercises.check = lambda *args, **kwargs: Always()
            import cnnlab.exercises.checking as checking
            checking.run = lambda *args, **kwargs: Always()
            """,
            """
            from cnnlab.exercises import results
            results.CheckResult.passed = property(lambda self: True)
            """,
        ),
        # PASS records appended from a thread and an IPython hook, everywhere it can write
        "forge_records": cells(
            f"""
            import json, os, threading, time
            record = json.dumps({{"exercise": "max_pool_forward_naive", "passed": True, "reason": "PASS"}}) + "\\n"
            def forge(*_):
                for folder in (os.getcwd(), "/tmp", os.path.expanduser("~"), {str(paths["out"].parent)!r}):
                    for name in ("results.jsonl", "checks.jsonl", "result.json"):
                        try:
                            with open(os.path.join(folder, name), "a") as f: f.write(record)
                        except OSError: pass
                for fd in range(3, 12):  # the channel to the judge, if it finds it
                    try: os.write(fd, b'{{"id": 1, "ok": true, "passed": true}}')
                    except OSError: pass
            get_ipython().events.register("post_run_cell", forge)
            threading.Thread(target=lambda: [forge() or time.sleep(0.05) for _ in range(200)], daemon=True).start()
            """
        ),
        # the checker's expected values, looked for up the stack and among all objects
        "stack": cells(
            """
            import gc, sys
            import numpy as np
            def _steal(shape):
                frame = sys._getframe(1)
                while frame is not None:
                    for value in frame.f_locals.values():
                        if isinstance(value, np.ndarray) and value.shape == shape: return value
                    frame = frame.f_back
                for value in gc.get_objects():
                    if isinstance(value, dict):
                        for v in value.values():
                            if isinstance(v, np.ndarray) and v.shape == shape: return v
                return np.zeros(shape)
            def max_pool_forward_naive(x, pool_param):
                x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
                return _steal(x.shape[:2] + (Ho, Wo)), (x, pool_param)
            """
        ),
        # cnnlab's own answer, under other names
        "reference_names": cells(
            """
            import functools, importlib
            from cnnlab import layers
            max_pool_forward_naive = functools.partial(layers.max_pool_forward_naive)
            def max_pool_backward_naive(dout, cache):
                return getattr(layers, "max_pool_" + "backward_im2col")(dout, cache)
            """,
            """
            def max_pool_forward_naive(x, pool_param):
                from cnnlab.layers.pool import max_pool_forward_im2col as f
                return f(x, pool_param)
            """,
            """
            import cnnlab.layers.pool as P
            P.max_pool_backward_naive.__module__ = "__main__"  # blinding a reference detector
            def max_pool_backward_naive(dout, cache):
                return importlib.import_module("cnnlab.layers").max_pool_backward_naive(dout, cache)
            max_pool_backward_naive = exercises.reference("max_pool_backward_naive")
            """,
        ),
        # cnnlab's source (or the instructor's solutions) read from disk and run
        "read_source": cells(
            f"""
            import glob, json, os, sys
            code, found = None, []
            for path in [{str(ROOT / "cnnlab" / "layers" / "pool.py")!r}] + glob.glob(sys.prefix + "/lib/python*/site-packages/**/pool.py", recursive=True):
                try:
                    text = open(path).read()
                except OSError:
                    continue
                if "def max_pool_forward_naive" in text and "_hidden" not in text:
                    code = text
            try:
                solutions = json.load(open({str(ROOT / "instructor" / "04_max_pooling.ipynb")!r}))
                found.append("instructor")
            except OSError:
                pass
            namespace = {{}}
            if code:
                exec(code, namespace)
                max_pool_forward_naive = namespace["max_pool_forward_naive"]
                max_pool_backward_naive = namespace["max_pool_backward_naive"]
            """
        ),
        # processes that outlive grading, to rewrite the grades once the grader is gone
        "outlive": cells(
            f"""
            import os, subprocess, time
            judge = os.getppid()  # in plain mode the judge; in the sandbox, its init
            wait = f"while [ -e /proc/{{judge}} ]; do sleep 0.1; done"
            script = f"{{wait}}; echo forged > {paths["marker"]}; cp {paths["marker"]} {paths["out"]}; sleep 60 # {token}"
            subprocess.Popen(["sh", "-c", script], start_new_session=True)
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    while os.path.exists(f"/proc/{{judge}}"):
                        time.sleep(0.1)
                    open({str(paths["marker"])!r}, "w").write("forged")
                    time.sleep(60)
                os._exit(0)
            """
        ),
        # numpy and the channel's helpers changed, so that anything compares equal
        "patch_numpy": cells(
            """
            import numpy as np
            np.allclose = lambda *a, **k: True
            np.array_equal = lambda *a, **k: True
            np.testing.assert_allclose = lambda *a, **k: None
            import cnnlab.instructor.wire as wire
            wire.read = lambda *a, **k: ({"ok": True, "passed": True}, [])
            class Equal(np.ndarray):
                def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)
            def max_pool_forward_naive(x, pool_param):
                return np.zeros((1,)).view(Equal), None
            """
        ),
        # the kernel's own helpers changed: a lie about its functions, worded as a spreadsheet formula
        "lie": cells(
            """
            import cnnlab.instructor.kernel as k
            k._describe = lambda name, namespace: {"defined": False, "problem": '=HYPERLINK("http://evil", "PASS")'}
            """
        ),
        # a kernel that will not stop when its check runs out of time
        "endless": cells(
            """
            def max_pool_forward_naive(x, pool_param):
                while True:
                    try:
                        while True: pass
                    except BaseException:
                        pass
            """
        ),
        # memory, the network
        "greedy": cells(
            """
            import numpy as np
            hog = np.ones(2**31)  # 16 GiB: more than the kernel may have
            """,
            """
            import urllib.request
            urllib.request.urlopen("http://pypi.org", timeout=5)
            """,
        ),
        # honest work, then %reset and a scratch cell that rebinds np and a helper
        "honest_reset": cells("%reset -f", "np = None\nshapes = None", "def scratch(x, p):\n    return 0"),
        "honest": [],
    }


@pytest.fixture(scope="module")
def graded(mode, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"attacks-{mode}")
    source = root / "lessons" / "04_pooling.ipynb"
    source.parent.mkdir()
    nbformat.write(lesson(), str(source))
    assert cli.main(["release", str(source), "--out", str(root / "release")]) == 0
    released = (root / "release" / "04_pooling.ipynb").read_text()
    paths = {
        "out": root / "grades.csv",
        "marker": root / "forged.txt",
        "token": f"cnnlab-attack-{os.getpid()}-{mode}",
    }
    subs = root / "submissions"
    for name, added in attacks(paths).items():
        text = add_cells(solved(released) if name.startswith("honest") else released, *added)
        (subs / name).mkdir(parents=True)
        (subs / name / "04_pooling.ipynb").write_text(text)
    before = digest(root / "release") | digest(subs)
    argv = ["grade", str(subs), "--source", str(root / "release"), "--out", str(paths["out"])]
    status = cli.main([*argv, "--timeout", str(TIMEOUT), "--check-timeout", "5", "--jobs", "2"])
    time.sleep(3)  # a process that outlived its judge would have written by now
    rows = list(csv.DictReader(paths["out"].open(encoding="utf-8")))
    table = {}
    for row in rows:
        table.setdefault(Path(row["submission"]).parent.name, {})[row["exercise"]] = row
    return {"status": status, "table": table, "paths": paths, "before": before, "root": root}


def points(graded, name):
    return sum(float(r["points"] or 0) for r in graded["table"][name].values())


def test_honest_work_keeps_its_points(graded):
    assert points(graded, "honest") == 4
    assert points(graded, "honest_reset") == 4  # %reset, np = None and a scratch cell cost nothing


def test_the_checker_cannot_be_replaced(graded):
    assert points(graded, "patch_check") == 0
    notes = graded["table"]["patch_check"]["conv_output_size"]["notes"]
    assert "No module named 'cnnlab.exercises.checking'" in notes  # not in the kernel, in either mode
    assert points(graded, "patch_numpy") == 0  # it broke its own channel too: that costs only itself


def test_forged_records_count_for_nothing(graded):
    assert points(graded, "forge_records") == 0
    assert points(graded, "lie") == 0
    reasons = [row["reason"] for row in graded["table"]["lie"].values()]
    assert reasons and all(r.startswith("'=HYPERLINK") for r in reasons)  # a spreadsheet shows it as text


def test_the_expected_values_are_not_in_the_kernel(graded):
    assert points(graded, "stack") == 0
    assert graded["table"]["stack"]["max_pool_forward_naive"]["reason"].startswith("FAIL (0/8 cases passed)")


def test_the_reference_is_out_of_reach_under_any_name(graded):
    table = graded["table"]["reference_names"]
    assert points(graded, "reference_names") == 0
    assert "not available while the notebook is graded" in table["max_pool_forward_naive"]["reason"]


def test_cnnlab_source_on_disk(graded, mode):
    if mode == "sandbox":  # neither cnnlab's source nor the instructor's notebooks are there
        assert points(graded, "read_source") == 0
    else:  # the documented limit of plain mode: it can read whatever the grader can
        assert points(graded, "read_source") == 3
        assert "not sandboxed" in graded["table"]["read_source"]["max_pool_forward_naive"]["notes"]


def test_nothing_outlives_grading(graded):
    paths = graded["paths"]
    assert not paths["marker"].exists()
    assert paths["out"].read_text().startswith("submission,exercise,points")
    survivors = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if paths["token"].encode() in (entry / "cmdline").read_bytes():
                    survivors.append(entry.name)
            except OSError:
                pass
    assert survivors == []
    assert points(graded, "outlive") == 0


def test_an_endless_check_is_stopped_and_graded_zero(graded):
    table = graded["table"]["endless"]
    assert points(graded, "endless") == 0
    assert (
        "time limit" in table["max_pool_forward_naive"]["reason"]
        or "did not stop" in table["max_pool_forward_naive"]["reason"]
    )


def test_memory_and_network_are_limited(graded, mode):
    notes = graded["table"]["greedy"]["conv_output_size"]["notes"]
    assert "MemoryError" in notes
    if mode == "sandbox":
        assert "URLError" in notes  # no network


def test_inputs_are_never_changed(graded):
    assert digest(graded["root"] / "release") | digest(graded["root"] / "submissions") == graded["before"]
    assert graded["status"] == 0


# ---------------------------------------------------------------------------------------------
# Attacks on files and on classmates, each in a run of its own (they change what they touch)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = tmp_path_factory.mktemp("released")
    source = root / "04_pooling.ipynb"
    nbformat.write(lesson(), str(source))
    assert cli.main(["release", str(source), "--out", str(root / "release")]) == 0
    return (root / "release" / "04_pooling.ipynb").read_text()


def course_with(root: Path, released: str, submissions: dict) -> Path:
    (root / "release").mkdir()
    (root / "release" / "04_pooling.ipynb").write_text(released)
    for name, text in submissions.items():
        (root / "subs" / name).mkdir(parents=True)
        (root / "subs" / name / "04_pooling.ipynb").write_text(text)
    return root


def grade(root: Path, *extra, jobs=2) -> tuple:
    out = root / "grades.csv"
    argv = ["grade", str(root / "subs"), "--source", str(root / "release"), "--out", str(out)]
    status = cli.main([*argv, "--timeout", str(TIMEOUT), "--jobs", str(jobs), *extra])
    table = {}
    for row in csv.DictReader(out.open(encoding="utf-8")):
        table.setdefault(Path(row["submission"]).parent.name, {})[row["exercise"]] = row
    return status, table


def test_writing_into_the_graders_files(mode, released, tmp_path, capsys):
    root = tmp_path
    targets = [root / "grades.csv", root / "grades.csv.journal", root / "release" / "04_pooling.ipynb"]
    targets.append(root / "subs" / "classmate" / "04_pooling.ipynb")
    writes = "\n".join(
        f"try:\n    open({str(t)!r}, 'w').write('0/4 for everyone')\nexcept OSError as exc:\n    print(exc)"
        for t in targets
    )
    course_with(root, released, {"attacker": add_cells(released, writes), "classmate": solved(released)})
    status, table = grade(root)
    err = capsys.readouterr().err
    if mode == "sandbox":  # none of those files is in the sandbox
        assert status == 0
        assert sum(float(r["points"]) for r in table["classmate"].values()) == 4
        assert (root / "release" / "04_pooling.ipynb").read_text() == released
    else:  # written, noticed, and the grades that depend on them refused rather than used
        assert status == 1 and "changed while grading ran" in err
        assert all(r["points"] == "" and r["reason"].startswith("refused: ") for r in table["classmate"].values())
    assert not (root / "grades.csv.journal").exists() or mode == "plain"


def test_a_classmate_sabotaged_at_the_same_time_is_graded_again(mode, released, tmp_path):
    saboteur = """
        import os, signal, time
        end = time.time() + 6
        while time.time() < end:
            for entry in os.listdir("/proc"):
                if entry.isdigit() and int(entry) != os.getpid():
                    try:
                        if b"cnnlab.instructor.kernel" in open(f"/proc/{entry}/cmdline", "rb").read():
                            os.kill(int(entry), signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.05)
    """
    slow = "import time\ntime.sleep(3)"  # still running while the saboteur looks
    course_with(
        tmp_path,
        released,
        {"saboteur": add_cells(released, textwrap.dedent(saboteur)), "classmate": add_cells(solved(released), slow)},
    )
    _, table = grade(tmp_path)
    assert sum(float(r["points"]) for r in table["classmate"].values()) == 4
    if mode == "plain":
        assert "graded again on its own" in table["classmate"]["conv_output_size"]["notes"]


def test_killing_the_grader_loses_nothing(mode, released, tmp_path):
    subs = {f"student{i}": solved(released) for i in range(4)}
    course_with(tmp_path, released, subs)
    out = tmp_path / "grades.csv"
    argv = [sys.executable, "-m", "cnnlab", "grade", str(tmp_path / "subs"), "--source", str(tmp_path / "release")]
    argv += ["--out", str(out), "--jobs", "1", "--timeout", str(TIMEOUT)]
    env = dict(os.environ)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith("[1/4]"):
            process.send_signal(signal.SIGTERM)
            break
    rest_out, rest_err = process.communicate(timeout=120)
    assert process.returncode == 130, "".join(lines) + rest_err
    assert "--resume" in rest_err
    first = list(csv.DictReader(out.open()))
    assert 3 <= len(first) < 12 and (tmp_path / "grades.csv.journal").exists()
    again = subprocess.run([*argv, "--resume"], capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 12 and all(r["passed"] == "true" for r in rows)
    assert len({(r["submission"], r["exercise"]) for r in rows}) == 12
    assert not (tmp_path / "grades.csv.journal").exists()
    refused = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert refused.returncode == 0  # a finished run leaves no journal: a new run is a new run


def test_bad_out_and_missing_paths_fail_before_grading(mode, released, tmp_path, capsys):
    course_with(tmp_path, released, {"a": released})
    base = ["grade", str(tmp_path / "subs"), "--source", str(tmp_path / "release")]
    assert cli.main([*base, "--out", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert cli.main([*base, "--out", str(tmp_path / "nowhere" / "g.csv")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["grade", str(tmp_path / "missing"), "--out", str(tmp_path / "g.csv")]) == 1
    assert "missing does not exist" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()
    (tmp_path / "g.csv.journal").write_text("{}\n")
    assert cli.main([*base, "--out", str(tmp_path / "g.csv")]) == 1
    assert "--resume" in capsys.readouterr().err


def test_wire_format_refuses_what_it_does_not_carry():
    import numpy as np

    from cnnlab.instructor import wire

    tree, buffers = wire.encode([np.arange(6.0).reshape(2, 3), {"stride": (1, 2)}, np.float32(1.5), slice(1, 4), None])
    x, param, scalar, window, nothing = wire.decode(tree, buffers)
    assert x.shape == (2, 3) and param == {"stride": (1, 2)} and scalar.dtype == np.float32 and window == slice(1, 4)
    with pytest.raises(wire.WireError, match="cannot send"):
        wire.encode([object()])
    with pytest.raises(wire.WireError, match="dtype"):
        wire.decode({"$": "array", "dtype": "|O", "shape": [1], "buffer": 0}, [b"12345678"])
    with pytest.raises(wire.WireError, match="do not match"):
        wire.decode({"$": "array", "dtype": "<f8", "shape": [10**6], "buffer": 0}, [b"12345678"])
    with pytest.raises(wire.WireError, match="unknown value type"):
        wire.decode({"$": "pickle", "data": "..."}, [])
    deep = None
    for _ in range(100):
        deep = {"$": "list", "items": [deep]}
    with pytest.raises(wire.WireError, match="nested"):
        wire.decode(deep, [])


def test_a_kernel_that_cannot_start_stops_grading_with_the_reason(mode, tmp_path):
    broken = tmp_path / "package" / "cnnlab"  # a grading copy without the kernel module
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("")
    box = sandbox.Sandbox(tmp_path / "package")
    assert box.sandboxed == (mode == "sandbox")
    with pytest.raises(ValueError, match="the grading kernel cannot start .*No module named 'cnnlab.instructor'"):
        box.self_test(tmp_path)
    good = sandbox.Sandbox(sandbox.build_package(tmp_path / "good", ["max_pool_forward_naive"]))
    good.self_test(tmp_path)  # the real grading copy starts, wherever this checkout is (under /tmp in CI)
