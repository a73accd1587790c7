"""What the class got wrong: `cnnlab grade --report/--feedback/--wide/--roster`, `cnnlab report`, `--update`.

A class of 24 submissions of the small lesson in ``course`` is built from a table (who
wrote which variant of each exercise: a correct one, a known mistake, or nothing), graded
once through the command line, and every count the report, the feedback and the exports
give is compared with what the table says. The rest runs without a kernel.
"""

import csv
import html
import os
import re
import shutil
import textwrap
from pathlib import Path

import nbformat
import pytest
from course import SOLUTIONS, answer, release_lesson

from cnnlab import cli
from cnnlab.instructor import copying, exports, feedback, grading, report, results, runner

BACKWARD = SOLUTIONS["max_pool_backward_naive"]
FORWARD = SOLUTIONS["max_pool_forward_naive"]
LOOPS_BACKWARD = """
    x, pool_param = cache
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    patch = x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW]
                    k = np.argmax(patch)
                    dx[n, c, i * sh + k // PW, j * sw + k % PW] += dout[n, c, i, j]
    return dx
"""
LOOPS_FORWARD = """
    x, (PH, PW), (sh, sw), (Ho, Wo) = shapes.check_pool_inputs(x, pool_param)
    N, C, H, W = x.shape
    out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, c, i, j] = np.max(x[n, c, i * sh : i * sh + PH, j * sw : j * sw + PW])
    return out, (x, pool_param)
"""
VARIANTS = {
    "conv_output_size": {
        "right": SOLUTIONS["conv_output_size"],
        "no +1": SOLUTIONS["conv_output_size"].replace(" + 1", ""),
        "float": SOLUTIONS["conv_output_size"].replace("//", "/"),
        "pad once": "return (size + pad - dilation * (kernel - 1) - 1) // stride + 1",
    },
    "max_pool_forward_naive": {
        "right": FORWARD,
        "loops": LOOPS_FORWARD,
        "min": FORWARD.replace(".max(", ".min("),
        "mean": FORWARD.replace(".max(", ".mean("),
    },
    "max_pool_backward_naive": {
        "right": BACKWARD,
        "loops": LOOPS_BACKWARD,
        # the same code as "right" but for its variables' names
        "renamed": BACKWARD.replace("window", "patch")
        .replace("dx", "grad")
        .replace("p, q", "r, s")
        .replace("+ p,", "+ r,")
        .replace("+ q]", "+ s]"),
        "assigned": BACKWARD.replace("] += dout", "] = dout"),
        "no stride": BACKWARD.replace("dx[n, c, i * sh + p, j * sw + q]", "dx[n, c, i + p, j + q]"),
    },
}
# who wrote what: conv_output_size, forward, backward (None: the stub left as handed out)
CLASS = {
    "ada": ("right", "right", "right"),
    "ben": ("right", "loops", "loops"),
    "cai": ("right", "right", "renamed"),
    "dee": ("right", "loops", "assigned"),
    "eli": ("right", "right", "assigned"),
    "fay": ("no +1", "right", "assigned"),
    "gus": ("no +1", "loops", "no stride"),
    "hal": ("float", "right", "no stride"),
    "ivy": ("right", "min", "right"),
    "jo": ("right", "mean", "loops"),
    "kim": ("pad once", "right", None),
    "lee": ("right", None, None),
    "max": (None, None, None),
    "ned": (None, None, None),
    "ona": ("right", "loops", "assigned"),
    "pia": ("no +1", "right", "loops"),
    "quy": ("right", "min", "no stride"),
    "rex": ("right", "right", "right"),
    "sue": ("float", "loops", "assigned"),
    "tom": ("right", "right", "loops"),
}
BROKEN = {"uma": "not a notebook", "vic": "the kernel dies"}  # and one the roster does not know: "walk-in"
NAMES = list(VARIANTS)
POINTS = {"conv_output_size": 1, "max_pool_forward_naive": 1, "max_pool_backward_naive": 2}
HOSTILE = "<img src=x onerror=alert(1)>"  # a folder name, and what one submission prints during a check


def _notebook(released, choice):
    text = released
    for name, variant in zip(NAMES, choice):
        if variant is not None:
            text = answer(text, name, VARIANTS[name][variant])
    return text


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    released = release_lesson(root)
    subs = root / "submissions"
    for who, choice in CLASS.items():
        (subs / who).mkdir(parents=True)
        (subs / who / "04_pooling.ipynb").write_text(_notebook(released, choice), encoding="utf-8")
    (subs / "uma").mkdir()
    (subs / "uma" / "04_pooling.ipynb").write_text("my homework, sorry", encoding="utf-8")
    nb = nbformat.reads(_notebook(released, ("right", "right", "right")), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import os\nos._exit(3)"))
    (subs / "vic").mkdir()
    nbformat.write(nb, str(subs / "vic" / "04_pooling.ipynb"))
    printing = BACKWARD.replace(
        "dx = np.zeros_like(x)", f"dx = np.zeros_like(x)\n        print({HOSTILE + '</pre>```'!r})"
    )
    printing = printing.replace("] += dout", "] = dout")
    (subs / HOSTILE).mkdir()
    text = answer(_notebook(released, ("right", "right", None)), "max_pool_backward_naive", printing)
    (subs / HOSTILE / "04_pooling.ipynb").write_text(text, encoding="utf-8")
    (subs / "walk-in").mkdir()
    (subs / "walk-in" / "04_pooling.ipynb").write_text(_notebook(released, ("right", None, None)), encoding="utf-8")
    roster = root / "roster.csv"  # as Canvas exports a gradebook: a Points Possible row, one student absent
    lines = ["Student,ID,SIS User ID,SIS Login ID,Section", "    Points Possible,,,,"]
    for number, who in enumerate([*CLASS, *BROKEN, HOSTILE, "zoe"], 1000):
        login = who if who != HOSTILE else "hostile"
        lines.append(f'"{who.title()}, Student",{number},S{number},{login},A')
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # the hostile folder's roster row names it by login "hostile": it cannot match, and comes out unmatched
    out = root / "grades.csv"
    argv = ["grade", "submissions", "--source", "release", "--out", "grades.csv", "--jobs", 2, "--timeout", 60]
    argv += ["--report", "report.html", "--feedback", "feedback", "--wide", "wide.csv", "--roster", "roster.csv"]
    here = os.getcwd()
    os.chdir(root)  # as an instructor runs it: in the course folder, submissions named relative to it
    try:
        status = cli.main([str(a) for a in argv])
    finally:
        os.chdir(here)
    return {"root": root, "status": status, "subs": subs, "out": out, "roster": roster}


def _label(graded, who):
    return f"submissions/{who}/04_pooling.ipynb"


def _expected_groups():
    """exercise -> {variant: set of students} for the students whose variant fails (None: not written)."""
    groups = {name: {} for name in NAMES}
    for who, choice in CLASS.items():
        for name, variant in zip(NAMES, choice):
            if variant not in ("right", "loops", "renamed"):
                groups[name].setdefault(variant, set()).add(who)
    return groups


def test_grading_the_class_writes_every_output(graded):
    assert graded["status"] == 0
    root = graded["root"]
    for name in ("grades.csv", "grades.results.json", "report.html", "wide.csv", "feedback/index.md"):
        assert (root / name).is_file(), name
    assert not (root / "grades.csv.journal").exists()


def test_the_summary_counts_match_the_class(graded):
    _, entries = results.read(graded["out"])
    summary = report.summarize(entries)
    assert summary.size == len(CLASS) + len(BROKEN) + 2
    by_name = {item.name: item for item in summary.exercises}
    labels = {who: _label(graded, who) for who in [*CLASS, *BROKEN, HOSTILE, "walk-in"]}
    for index, name in enumerate(NAMES):
        item = by_name[name]
        passing = {who for who, choice in CLASS.items() if choice[index] in ("right", "loops", "renamed")}
        passing |= {"walk-in"} if index == 0 else set()
        passing |= {HOSTILE} if index < 2 else set()
        assert item.passed == len(passing), name
        assert item.submissions == summary.size
        # every group of the same mistake is exactly the students who made it
        found = {m.text: {_who(label) for label in m.submissions} for m in item.mistakes}
        for variant, students in _expected_groups()[name].items():
            if variant is None:
                continue
            matching = [text for text, group in found.items() if students <= group]
            assert len(matching) == 1, (name, variant, found)
            extra = found[matching[0]] - students
            if variant == "assigned":
                assert extra == {HOSTILE}  # the hostile submission made this mistake too
            else:
                assert not extra, (name, variant, extra)
        unwritten = {who for who, choice in CLASS.items() if choice[index] is None}
        unwritten |= {"walk-in"} if index > 0 else set()
        assert item.counts.get("unwritten", 0) == len(unwritten), name
        assert found.get("not written yet", set()) == unwritten
        assert {"uma", "vic"} <= set().union(*found.values())
    assert dict(summary.not_run).keys() == {labels["uma"], labels["vic"]}
    assert "not valid JSON" in dict(summary.not_run)[labels["uma"]]
    assert "the kernel died" in dict(summary.not_run)[labels["vic"]]
    # named mistakes, in the check's words
    texts = {m.text for m in by_name["max_pool_backward_naive"].mistakes}
    assert any("(+=)" in t for t in texts)
    assert any("+ 1 is missing" in t for t in (m.text for m in by_name["conv_output_size"].mistakes))
    assert any("smallest value" in t for t in (m.text for m in by_name["max_pool_forward_naive"].mistakes))


def _outside_code(markdown):
    """Markdown without its fenced blocks and inline code spans (which Markdown shows literally)."""
    text = re.sub(r"^(`{3,})text\n.*?^\1$", "", markdown, flags=re.S | re.M)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


def _who(label):
    return Path(label).parts[-2]


def test_identical_code_is_flagged_as_the_class_wrote_it(graded):
    _, entries = results.read(graded["out"])
    flags = {}
    for flag in report.summarize(entries).identical:
        flags.setdefault((flag.exercise, flag.how), set()).add(frozenset(_who(s) for s in flag.submissions))
    expected = {}
    for index, name in enumerate(NAMES[1:], 1):
        by_variant = {}
        for who, choice in {**CLASS, "vic": ("right",) * 3, HOSTILE: ("right", "right", "printing")}.items():
            if choice[index] is not None:
                by_variant.setdefault(choice[index], set()).add(who)
        for students in by_variant.values():
            if len(students) > 1:
                expected.setdefault((name, "identical"), set()).add(frozenset(students))
    # "renamed" is "right" but for names: flagged together with the "right" group
    right = frozenset(w for w, c in {**CLASS, "vic": ("right",) * 3}.items() if c[2] == "right")
    expected[("max_pool_backward_naive", "identical but for names")] = {right | {"cai"}}
    assert flags == expected


def test_the_report_page_shows_the_counts_and_escapes_what_students_wrote(graded):
    page = (graded["root"] / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and f'content="{report.GENERATOR}"' in page
    assert "<script" not in page.lower() and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert html.escape(HOSTILE) in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)  # nothing fetched: it opens from disk
    _, entries = results.read(graded["out"])
    summary = report.summarize(entries)
    cells = re.findall(r'data-count="passed">(\d+)/(\d+)<', page)
    assert [(int(a), int(b)) for a, b in cells] == [(i.passed, i.submissions) for i in summary.exercises]
    counts = [int(n) for n in re.findall(r'data-count="mistake">(\d+)<', page)]
    assert counts == [m.count for i in summary.exercises for m in i.mistakes]
    assert page.count("<svg") == 2 + sum(1 for i in summary.exercises if i.cases_passed)


def test_feedback_files_carry_the_full_verdicts(graded):
    folder = graded["root"] / "feedback"
    _, entries = results.read(graded["out"])
    names = feedback.file_names(e.label for e in entries)
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names.values(), "index.md"])
    index = (folder / "index.md").read_text(encoding="utf-8")
    for entry in entries:
        text = (folder / names[entry.label]).read_text(encoding="utf-8")
        assert text.startswith(feedback.MARKER) and names[entry.label] in index
        for row in entry.rows:
            if row.verdict:
                assert row.verdict in text  # in full, as the check cell prints it
            if row.status == "failed":
                assert 'exercises.hint("' + row.exercise + '")' in text and "1. " in text
    fay = (folder / names[_label(graded, "fay")]).read_text(encoding="utf-8")
    assert "**Score: 1 of 4 points.**" in fay and "+ 1 is missing" in fay
    hostile = (folder / names[_label(graded, HOSTILE)]).read_text(encoding="utf-8")
    assert HOSTILE in hostile
    assert "<img" not in _outside_code(hostile)  # quoted as code (taken literally), or escaped
    assert "````text" in hostile or "<img" not in hostile


def test_the_wide_csv_has_a_row_per_student_in_the_roster_order(graded):
    rows = list(csv.DictReader((graded["root"] / "wide.csv").open(encoding="utf-8")))
    long_rows = list(csv.DictReader(graded["out"].open(encoding="utf-8")))
    points = {(r["submission"], r["exercise"]): r["points"] for r in long_rows}
    roster = list(csv.DictReader(graded["roster"].open(encoding="utf-8")))
    assert [r["SIS Login ID"] for r in rows[: len(roster)]] == [r["SIS Login ID"] for r in roster]
    assert rows[0]["Student"].strip() == "Points Possible"
    assert [rows[0][n] for n in NAMES] == ["1", "1", "2"] and rows[0]["total"] == "4"
    by_login = {r["SIS Login ID"]: r for r in rows}
    for who in [*CLASS, *BROKEN]:
        row = by_login[who]
        label = _label(graded, who)
        assert row["submissions"] == label
        assert [row[n] for n in NAMES] == [points[(label, n)] for n in NAMES]
        assert float(row["total"]) == sum(float(points[(label, n)]) for n in NAMES)
    assert [by_login["zoe"][n] for n in [*NAMES, "total", "submissions"]] == [""] * 5  # handed nothing in
    assert [by_login["hostile"][n] for n in [*NAMES, "total"]] == [""] * 4  # its folder is not its login
    unmatched = rows[len(roster) :]
    assert sorted(r["submissions"] for r in unmatched) == sorted([_label(graded, HOSTILE), _label(graded, "walk-in")])
    assert all(r["ID"] == "" for r in unmatched)


def test_report_rebuilds_everything_without_grading(graded, tmp_path, monkeypatch, capsys):
    def no_grading(*args, **kwargs):
        raise AssertionError("cnnlab report must not grade")

    monkeypatch.setattr(runner, "run_jobs", no_grading)
    argv = ["report", graded["out"], "--report", tmp_path / "r.html", "--feedback", tmp_path / "fb"]
    argv += ["--wide", tmp_path / "w.csv", "--roster", graded["roster"]]
    assert cli.main([str(a) for a in argv]) == 0
    out = capsys.readouterr().out
    _, entries = results.read(graded["out"])
    for item in report.summarize(entries).exercises:
        assert f"{item.name}: {item.passed}/{item.submissions} passed" in out
    root = graded["root"]
    assert (tmp_path / "r.html").read_text() == (root / "report.html").read_text()
    assert (tmp_path / "w.csv").read_text() == (root / "wide.csv").read_text()
    for path in (root / "feedback").iterdir():
        assert (tmp_path / "fb" / path.name).read_text() == path.read_text()


def test_update_regrades_one_submission_and_keeps_the_others(graded, tmp_path, monkeypatch):
    root = tmp_path / "copy"
    shutil.copytree(graded["root"], root)
    monkeypatch.chdir(root)
    out = root / "grades.csv"
    released = (root / "release" / "04_pooling.ipynb").read_text()
    label = _label(graded, "fay")
    (root / label).write_text(_notebook(released, ("right", "right", "right")), encoding="utf-8")
    argv = ["grade", label, "--source", "release", "--out", "grades.csv", "--update", "--report", "report.html"]
    assert cli.main(argv) == 0
    after = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r for r in after if r["submission"] == label and r["passed"] == "true"] and all(
        r["passed"] == "true" for r in after if r["submission"] == label
    )
    _, entries = results.read(out)
    assert len(entries) == len(CLASS) + len(BROKEN) + 2
    original = list(csv.DictReader(graded["out"].open(encoding="utf-8")))
    assert [r for r in after if r["submission"] != label] == [r for r in original if r["submission"] != label]
    assert [r["passed"] for r in original if r["submission"] == label] == ["false", "true", "false"]


def test_outputs_are_checked_before_grading(graded, tmp_path, capsys):
    foreign = tmp_path / "report.html"
    foreign.write_text("<html>my own notes</html>")
    base = ["grade", graded["subs"] / "ada", "--source", graded["root"] / "release", "--out", tmp_path / "g.csv"]
    cases = [
        (["--report", foreign], "is not a cnnlab report"),
        (["--report", tmp_path], "is a folder"),
        (["--wide", tmp_path / "nowhere" / "w.csv"], "does not exist"),
        (["--roster", graded["roster"]], "give --wide FILE.csv too"),
        (["--wide", graded["roster"], "--roster", graded["roster"]], "one of the files cnnlab reads"),
        (["--update"], "there is no"),
    ]
    for extra, message in cases:
        assert cli.main([str(a) for a in base + extra]) == 1, extra
        assert message in capsys.readouterr().err, extra
    assert foreign.read_text() == "<html>my own notes</html>"
    notes = tmp_path / "fb"
    notes.mkdir()
    (notes / "ada__04_pooling.md").write_text("# a file of mine")
    argv = ["report", graded["out"], "--feedback", notes]
    assert cli.main([str(a) for a in argv]) == 1
    assert "was not written by cnnlab" in capsys.readouterr().err
    assert sorted(p.name for p in notes.iterdir()) == ["ada__04_pooling.md"]
    assert cli.main(["report", str(graded["out"])]) == 1
    assert "say what to write" in capsys.readouterr().err
    other = tmp_path / "other.json"
    other.write_text('{"something": 1}')
    assert cli.main(["report", str(other), "--report", str(tmp_path / "r.html")]) == 1
    assert "not a cnnlab results file" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# without a kernel


def _row(**fields):
    base = dict(submission="a.ipynb", exercise="x", points=0, max_points=1, passed=False, reason="FAIL")
    return grading.Row(**{**base, **fields})


def test_feedback_file_names_are_safe_and_unique():
    names = feedback.file_names(["subs/a/04.ipynb", "subs/a b/04.ipynb", "subs/a_b/04.ipynb", "subs/../x/index.ipynb"])
    assert names["subs/a/04.ipynb"] == "a__04.md"
    assert len(set(n.lower() for n in names.values())) == 4
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+\.md", n) and "/" not in n for n in names.values())
    assert "index.md" not in names.values()
    assert feedback.file_names(["only/one.ipynb"]) == {"only/one.ipynb": "one.md"}


def test_markdown_cannot_be_broken_out_of():
    assert feedback._code("a`b") == "`` a`b ``"  # CommonMark drops the two spaces
    assert feedback._text("<b>*x*</b>") == "&lt;b&gt;\\*x\\*&lt;/b&gt;"
    fence = feedback._fenced("```\n<script>")
    assert fence[0] == "````text" and fence[-2] == "````"


def test_fingerprints_see_through_names_and_comments_only():
    code = textwrap.dedent(LOOPS_BACKWARD)
    renamed = code.replace("patch", "win").replace("dx", "g")
    commented = code.replace("dx = np.zeros_like(x)", "dx = np.zeros_like(x)  # the gradient")
    a, b, c = (copying.fingerprint(t) for t in (code, renamed, commented))
    assert a["exact"] == c["exact"] != b["exact"] and a["renamed"] == b["renamed"]
    other = copying.fingerprint(code.replace("k // PW", "k % PW"))
    assert other["renamed"] != a["renamed"]
    assert copying.fingerprint("return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1") is None


def test_roster_matching_by_folder_file_or_canvas_download_name(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("name;login;id\nAda Lovelace;ada;17\nBen Ng;ben;18\nCai Wu;cai;19\n", encoding="utf-8-sig")
    table = exports.read_roster(roster)
    found = exports.match(table, ["subs/ada/04.ipynb", "subs/ben/04.ipynb", "subs/x/04.ipynb"])
    assert found.column == "login" and found.student_of == {"subs/ada/04.ipynb": 0, "subs/ben/04.ipynb": 1}
    canvas = exports.match(table, ["dl/adalovelace_17_3301_04.ipynb", "dl/cai_19_3302_04.ipynb"])
    assert canvas.column in ("id", "login") and len(canvas.student_of) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("only a header\n")
    with pytest.raises(ValueError, match="needs a header row and a row per student"):
        exports.read_roster(bad)


def test_refused_grades_are_empty_cells_not_zero():
    entry = grading.Submission(Path("a.ipynb"), "a.ipynb")
    entry.rows = [_row(points=None, status="refused", mistake="refused: changed", reason="refused: changed")]
    header, rows, _ = exports.wide_rows([entry], ["x"])
    assert rows == [["a.ipynb", "", "", "1"]]
    summary = report.summarize([entry])
    assert summary.refused == [("a.ipynb", "refused: changed")]


def test_a_student_with_two_submissions_gets_one_row_and_the_higher_points(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("login,name\nada,Ada Lovelace\nben,Ben Ng\n", encoding="utf-8")
    first, again = (grading.Submission(Path(f"subs/ada/{n}.ipynb"), f"subs/ada/{n}.ipynb") for n in ("a", "b"))
    first.rows = [_row(submission=first.label, points=0)]
    again.rows = [_row(submission=again.label, points=1, passed=True)]
    header, rows, warnings = exports.wide_rows([first, again], ["x"], exports.read_roster(roster))
    assert header == ["login", "name", "x", "total", "submissions"]
    assert rows == [
        ["ada", "Ada Lovelace", "1", "1", "subs/ada/a.ipynb; subs/ada/b.ipynb"],
        ["ben", "Ben Ng", "", "", ""],
    ]
    assert warnings == ["x is graded in more than one submission of 'ada'; the higher points count"]
