"""Tests of cnnlab.exercises: correct alternatives PASS, real mistakes FAIL with the right diagnosis,
student code can never crash a check, and the verdict text is the same on every machine."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from student_impls import BUGGY, CORRECT, conv_backward_loops, conv_forward_loops

from cnnlab import exercises, shapes
from cnnlab import layers as L
from cnnlab.exercises import catalog, diagnosis, hints

BACKWARD_FORWARD = {e.name: catalog.get(e.forward).reference for e in catalog.EXERCISES if e.kind == "backward"}


def pass_line(name: str) -> str:
    """The one verdict every correct implementation of ``name`` gets."""
    exercise = catalog.get(name)
    bound = "" if exercise.exact else "; max relative error < 1e-7"
    count = len(exercise.cases())
    return f"{name}: PASS ({count}/{count} cases{bound})"


@pytest.fixture(autouse=True)
def fresh_hints():
    hints._shown.clear()
    yield
    hints._shown.clear()


# ---------------------------------------------------------------------------------------------
# The two tables


@pytest.mark.parametrize(("name", "label", "fn", "forward"), CORRECT, ids=[f"{r[0]}: {r[1]}" for r in CORRECT])
def test_correct_alternative_passes_with_the_common_verdict(name, label, fn, forward):
    result = exercises.check(name, fn, forward=forward)
    assert result.passed, str(result)
    assert str(result) == pass_line(name)


@pytest.mark.parametrize(("name", "label", "fn", "forward", "diagnosis"), BUGGY, ids=[f"{r[0]}: {r[1]}" for r in BUGGY])
def test_buggy_implementation_fails_with_its_diagnosis(name, label, fn, forward, diagnosis):
    result = exercises.check(name, fn, forward=forward)
    text = str(result)
    assert not result.passed
    assert text.startswith(f"{name}: FAIL (")
    assert diagnosis in text, text
    assert f'{name} = exercises.reference("{name}")' in text  # how to go on
    assert_no_raw_floats(text)


@pytest.mark.parametrize("name", exercises.names())
def test_reference_passes_and_says_it_is_the_reference(name):
    result = exercises.check(name, exercises.reference(name), forward=BACKWARD_FORWARD.get(name))
    assert result.passed
    assert str(result).splitlines() == [pass_line(name), "  (this is cnnlab's reference implementation, not yours)"]


def test_the_tables_cover_every_exercise():
    assert set(exercises.names()) == {row[0] for row in CORRECT}
    assert set(exercises.names()) == {row[0] for row in BUGGY}


def test_required_exercises_exist():
    required = {
        "conv_forward_naive",
        "conv_backward_naive",
        "max_pool_forward_naive",
        "max_pool_backward_naive",
        "spatial_batchnorm_forward",
        "spatial_batchnorm_backward",
        "spatial_groupnorm_forward",
        "spatial_groupnorm_backward",
        "im2col",
        "col2im",
    }
    assert required <= set(exercises.names())


def test_cases_cover_the_general_case():
    conv = catalog.get("conv_forward_naive").cases()
    tags = {tag for case in conv for tag in case.tags}
    assert {"padding", "stride > 1", "dilation > 1", "a rectangular input or filter", "one sample"} <= tags
    assert len({case.build()[0].shape[0] for case in conv}) >= 3  # several batch sizes
    pool_tags = {tag for case in catalog.get("max_pool_forward_naive").cases() for tag in case.tags}
    assert {"overlapping windows", "ties (equal maxima in a window)"} <= pool_tags
    bn_tags = {tag for case in catalog.get("spatial_batchnorm_forward").cases() for tag in case.tags}
    assert {"train mode", "test mode", "eps and momentum given"} <= bn_tags


def test_cases_are_built_afresh_with_the_same_numbers():
    (case, *_) = catalog.get("conv_forward_naive").cases()
    first, second = case.build(), case.build()
    assert first[0] is not second[0]
    np.testing.assert_array_equal(first[0], second[0])


# ---------------------------------------------------------------------------------------------
# Deterministic text


FAILING_SAMPLE = [row for row in BUGGY if row[1] in {"missing bias", "dx overwrites", "momentum flipped", "pad once"}]


@pytest.mark.parametrize(("name", "label", "fn", "forward", "diagnosis"), FAILING_SAMPLE)
def test_fail_text_is_the_same_every_run(name, label, fn, forward, diagnosis):
    first = str(exercises.check(name, fn, forward=forward))
    second = str(exercises.check(name, fn, forward=forward))
    assert first == second


def assert_no_raw_floats(text):
    """A FAIL text holds no measured float: counts and error bounds, values to 3 significant digits."""
    verdict, *rest = text.splitlines()
    assert not re.search(r"\d\.\d", verdict), verdict  # the verdict line: counts and bounds only
    for number in re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", text):
        digits = re.sub(r"e.*", "", number).replace("-", "").replace(".", "").lstrip("0")
        assert len(digits) <= 8, number  # wrong values: 3 significant digits, more only to tell two apart
    for bound in re.findall(r"relative error ([^)]*)\)", text):
        assert re.fullmatch(r"< 1e-7|= 1|between 1e-\d+ and (1e-\d+|1)|NaN", bound), bound


def test_text_plain_and_html_say_the_same():
    def no_bias(x, w, b, conv_param):
        return conv_forward_loops(x, w, b, conv_param, bug="no bias")

    result = exercises.check("conv_forward_naive", no_bias)
    html = result._repr_html_()
    assert str(result) == repr(result)
    assert "<span style='color:#cf222e;font-weight:bold'>conv_forward_naive: FAIL" in html
    assert "looks like: the bias is missing" in html
    assert html == exercises.check("conv_forward_naive", no_bias)._repr_html_()


# ---------------------------------------------------------------------------------------------
# Never crashes on student code


def check_forward(fn, **kwargs):
    return exercises.check("conv_forward_naive", fn, **kwargs)


def test_exception_names_the_line_of_student_code():
    def raising(x, w, b, conv_param):
        return {}["missing"]

    result = check_forward(raising)
    assert not result.passed
    assert "raised KeyError: 'missing' (line" in str(result)
    assert 'in raising: return {}["missing"]' in str(result)


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (None, "returned None; a forward pass returns (out, cache)"),
        (np.zeros(3), "returned only an array"),
        ((1, 2, 3), "returned 3 values; a forward pass returns two values, (out, cache)"),
        (([[1.0]], None), "is a list; return a numpy array"),
        ((np.zeros((2, 4, 3, 3), dtype=int), None), "so its values are whole numbers"),
        ((np.zeros((2, 4, 3, 3), dtype=np.float32), None), "has dtype float32"),
        (("out", None), "is a str; return a numpy array"),
        ((np.zeros((2, 4, 3, 3), dtype=complex), None), "has dtype complex128"),
    ],
)
def test_wrong_return_values_are_explained(returned, message):
    result = check_forward(lambda x, w, b, conv_param: returned)
    assert not result.passed
    assert message in str(result)


def test_a_missing_optional_key_is_explained():
    def strict(x, gamma, beta, G, gn_param):
        return L.spatial_groupnorm_forward(x, gamma, beta, G, {"eps": gn_param["eps"]})

    result = exercises.check("spatial_groupnorm_forward", strict)
    assert "raised KeyError: 'eps'" in str(result)
    assert "the parameter dict may leave out 'eps'; read it with .get('eps', 1e-5)" in str(result)


def test_wrong_signature_is_explained():
    result = check_forward(lambda x, w: (x, None))
    assert "could not be called as conv_forward_naive(x, w, b, conv_param)" in str(result)
    assert "your function's parameters are (x, w)" in str(result)


def test_not_a_function_is_explained():
    result = exercises.check("conv_forward_naive", (np.zeros(3), None))
    assert not result.passed
    assert "your function is a tuple, not a function; pass the function itself" in str(result)


def test_sys_exit_is_a_fail_not_an_exit():
    result = check_forward(lambda x, w, b, conv_param: sys.exit(3))
    assert "called sys.exit(3)" in str(result)


def test_keyboard_interrupt_goes_through():
    def interrupted(x, w, b, conv_param):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check_forward(interrupted)


def test_changing_a_parameter_dict_is_a_fail():
    def sets_pad(x, w, b, conv_param):
        out, cache = L.conv_forward_naive(x, w, b, conv_param)
        conv_param["stride"] = 99
        return out, cache

    result = check_forward(sets_pad)
    assert "changed its input: conv_param['stride'] was changed" in str(result)


def test_running_statistics_may_change_in_train_mode_but_not_in_test_mode():
    def updates_in_test_mode(x, gamma, beta, bn_param):
        out, cache = L.spatial_batchnorm_forward(x, gamma, beta, bn_param)
        if bn_param["mode"] == "test":  # the bug: test mode updates the running mean too
            bn_param["running_mean"] = 0.9 * bn_param["running_mean"] + 0.1 * x.mean(axis=(0, 2, 3))
        return out, cache

    result = exercises.check("spatial_batchnorm_forward", updates_in_test_mode)
    assert not result.passed
    assert "every case with test mode fails" in str(result)
    assert "test mode changed the running mean; only train mode updates it" in str(result)


def test_time_limit_stops_an_endless_loop():
    def endless(x, w, b, conv_param):
        while True:
            pass

    started = time.monotonic()
    result = check_forward(endless, time_limit=0.3)
    assert time.monotonic() - started < 5
    assert not result.passed
    assert "time limit of 0.3 s exceeded (during case 'basic 3x3')" in str(result)
    assert "time_limit=60" in str(result)


def test_time_limit_survives_a_bare_except():
    def stubborn(x, w, b, conv_param):
        try:
            while True:
                pass
        except BaseException:  # noqa: BLE001 - a student's bare except
            pass
        while True:
            pass

    started = time.monotonic()
    result = check_forward(stubborn, time_limit=0.2)
    assert time.monotonic() - started < 5
    assert "time limit of 0.2 s exceeded" in str(result)


def test_time_limit_leaves_signal_handling_as_it_was():
    handler_before = signal.getsignal(signal.SIGALRM)
    check_forward(conv_forward_loops, time_limit=5)
    check_forward(lambda *a: {}[0], time_limit=5)
    assert signal.getsignal(signal.SIGALRM) == handler_before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_outside_the_main_thread_there_is_no_time_limit_but_a_check():
    found = {}
    worker = threading.Thread(target=lambda: found.setdefault("result", check_forward(conv_forward_loops)))
    worker.start()
    worker.join()
    assert found["result"].passed
    assert found["result"].timed is False


def test_prints_are_hidden_and_mentioned_on_a_fail(capsys):
    def chatty(x, w, b, conv_param):
        print("debugging", x.shape)
        return x, None

    result = check_forward(chatty)
    assert capsys.readouterr().out == ""
    assert "your code printed 10 lines during the check (hidden); the first: 'debugging (2, 3, 5, 5)'" in str(result)
    passing = check_forward(lambda *args: (print("hi"), conv_forward_loops(*args))[1])
    assert passing.passed and str(passing) == pass_line("conv_forward_naive")


def test_an_uncopyable_cache_still_works_with_its_own_backward():
    def forward(x, w, b, conv_param):
        out, cache = conv_forward_loops(x, w, b, conv_param)
        return out, (lambda: cache, (i for i in range(3)))  # a generator cannot be deep-copied

    def backward(dout, cache):
        return conv_backward_loops(dout, cache[0]())

    result = exercises.check("conv_backward_naive", backward, forward=forward)
    assert result.passed, str(result)


def test_a_cache_that_cannot_be_copied_or_compared_is_fine():
    class Opaque:
        def __init__(self, cache):
            self.cache = cache

        def __deepcopy__(self, memo):
            raise RuntimeError("no copies")

        def __eq__(self, other):
            raise RuntimeError("no comparisons")

    def forward(x, w, b, conv_param):
        out, cache = conv_forward_loops(x, w, b, conv_param)
        return out, Opaque(cache)

    result = exercises.check("conv_backward_naive", lambda dout, cache: conv_backward_loops(dout, cache.cache), forward)
    assert result.passed, str(result)


def test_a_failure_inside_the_check_itself_is_still_a_verdict(monkeypatch):
    from cnnlab.exercises import checking

    def broken(*args):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(checking, "_compare", broken)
    result = check_forward(conv_forward_loops)
    assert not result.passed
    assert "the check could not finish this case: raised RuntimeError: unexpected" in str(result)


def test_a_crashing_forward_is_named_in_a_backward_check():
    def forward(x, w, b, conv_param):
        raise ValueError("not written yet")

    result = exercises.check("conv_backward_naive", conv_backward_loops, forward=forward)
    assert "your forward raised ValueError: not written yet" in str(result)
    assert 'exercises.check("conv_forward_naive")' in str(result)


def test_backward_passes_with_a_note_when_only_the_forward_is_wrong():
    def forward_without_bias(x, w, b, conv_param):
        return conv_forward_loops(x, w, b, conv_param, bug="no bias")

    result = exercises.check("conv_backward_naive", conv_backward_loops, forward=forward_without_bias)
    assert result.passed
    assert str(result).splitlines()[0] == pass_line("conv_backward_naive")
    assert "note: your forward does not match the reference, though your backward does" in str(result)


# ---------------------------------------------------------------------------------------------
# The rest of the API


def test_unknown_exercise_suggests_the_closest():
    with pytest.raises(ValueError, match="did you mean 'conv_forward_naive'"):
        exercises.check("conv_forward_naiv", conv_forward_loops)


def test_forward_is_only_for_backward_exercises():
    with pytest.raises(ValueError, match="forward= is for backward exercises"):
        exercises.check("conv_forward_naive", conv_forward_loops, forward=conv_forward_loops)


@pytest.mark.parametrize("name", exercises.names())
def test_hints_come_one_after_the_other(name):
    count = len(hints.HINTS[name])
    assert count >= 3
    seen = [str(exercises.hint(name)) for _ in range(count + 1)]
    for level, text in enumerate(seen[:count], start=1):
        assert text.startswith(f"Hint {level} of {count} for {name}:")
        assert all(len(line) <= 100 for line in text.splitlines()[:-1] if not line.startswith("(That"))
    assert seen[-1] == seen[-2]  # after the last one, the last one again
    assert f'{name} = exercises.reference("{name}")' in seen[-1]
    assert str(exercises.hint(name, 1)).startswith(f"Hint 1 of {count}")


def test_hint_level_out_of_range():
    with pytest.raises(ValueError, match="level must be an integer from 1 to"):
        exercises.hint("im2col", 0)


def test_describe_lists_the_signature_and_cases():
    text = exercises.describe("max_pool_backward_naive")
    assert text.startswith("max_pool_backward_naive(dout, cache) -> dx  (lesson 4)")
    assert "ties, 2x2 stride 2: x (2, 2, 6, 6), pool 2x2, stride=2, with ties" in text


def test_plot_draws_where_the_first_failing_output_is_wrong():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = exercises.check("conv_backward_naive", conv_backward_loops_db_wrong)
    fig = result.plot()
    try:
        assert "where db is wrong" in fig.axes[0].get_title()
    finally:
        plt.close(fig)
    assert exercises.check("conv_forward_naive", conv_forward_loops).plot() is None


def conv_backward_loops_db_wrong(dout, cache):
    return conv_backward_loops(dout, cache, bug="db over n only")[:2] + (dout.sum(axis=(0, 2, 3)) * 2,)


def test_import_does_not_import_plotting_or_widgets():
    code = (
        "import sys, cnnlab.exercises, cnnlab.gradcheck; "
        "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plot_names_the_filter_axis_of_a_convolution_output():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def no_bias(x, w, b, conv_param):
        return conv_forward_loops(x, w, b, conv_param, bug="no bias")

    fig = exercises.check("conv_forward_naive", no_bias).plot()
    try:
        columns = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert columns[0] == "f=0" and rows[0] == "n=0"
    finally:
        plt.close(fig)


# ---------------------------------------------------------------------------------------------
# Issue #16: what the verdicts point at, the hints say; the general step; the answer key in disguise


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("spatial_groupnorm_forward", "gn_param.get('eps', 1e-5)"),
        ("max_pool_backward_naive", "(h, w) pair"),
        ("max_pool_backward_naive", "(i*sh + p, j*sw + q)"),
        ("spatial_batchnorm_backward", "divides its sums by N"),
    ],
)
def test_hints_cover_what_the_verdicts_point_at(name, words):
    assert any(words in text for text in hints.HINTS[name])


def test_pooling_size_mistakes_quote_the_pooling_formula():
    from student_impls import pool_forward_strided

    def short(x, pool_param):
        out, cache = pool_forward_strided(x, pool_param)
        return out[:, :, :-1, :-1], cache

    text = str(exercises.check("max_pool_forward_naive", short))
    assert "H' = (H - pool_height) // stride + 1" in text
    assert "dilation" not in text and "2*pad" not in text


def test_when_no_known_mistake_fits_the_numbers_are_described():
    def squared_term(x, w, b, conv_param):  # a term no known mistake has: larger at every output
        out, cache = conv_forward_loops(x, w, b, conv_param)
        return out + 0.01 * out**2 + 0.5, cache

    text = str(exercises.check("conv_forward_naive", squared_term))
    assert "no known pattern" not in text
    assert "looks like: out is wrong at every element; it is too large at every one of them" in text


def test_a_relu_left_in_is_recognized_from_the_numbers():
    def with_relu(x, w, b, conv_param):
        out, cache = conv_forward_loops(x, w, b, conv_param)
        return np.maximum(out, 0), cache

    text = str(exercises.check("conv_forward_naive", with_relu))
    assert "out goes through a ReLU, max(out, 0)" in text  # a known mistake of the convolution

    def im2col_with_relu(*args):  # im2col has no such known mistake: the numbers show it, and name it
        return np.maximum(exercises.reference("im2col")(*args), 0)

    result = exercises.check("im2col", im2col_with_relu)
    assert "equals the right value where that is positive and 0 where it is negative" in str(result)
    assert "max(., 0) (a ReLU) that does not belong in this function; remove it" in str(result)
    assert isinstance(result.failures[0].diagnoses[0], diagnosis.Named)


@pytest.mark.parametrize(
    ("factor", "sentence"),
    [(lambda N: -1, "has the wrong sign"), (lambda N: 1 / N, "1/N times"), (lambda N: N, "N times")],
)
def test_a_scale_that_only_one_mistake_makes_is_named(factor, sentence):
    def scaled_dx(dout, cache):
        dx, dw, db = conv_backward_loops(dout, cache)
        return factor(dout.shape[0]) * dx, dw, db

    result = exercises.check("conv_backward_naive", scaled_dx)
    assert sentence in str(result.named_mistake()), str(result)


def test_a_scale_that_fits_one_case_by_coincidence_is_not_named():
    def doubled_dx(dout, cache):  # 2 * dx: "N times" where N = 2, not where N = 3
        dx, dw, db = conv_backward_loops(dout, cache)
        return 2 * dx, dw, db

    result = exercises.check("conv_backward_naive", doubled_dx)
    assert result.named_mistake() is None, str(result)


def test_the_failing_cases_lead_when_no_known_mistake_fits():
    def squared_term_when_strided(x, w, b, conv_param):  # no known mistake; only the strided cases fail
        out, cache = conv_forward_loops(x, w, b, conv_param)
        return (out + 0.01 * out**2 if conv_param.get("stride", 1) != 1 else out), cache

    text = str(exercises.check("conv_forward_naive", squared_term_when_strided))
    first = next(line for line in text.splitlines() if "looks like:" in line)
    assert "only the cases with stride > 1 fail: look at the stride: window (i, j) starts at row i*stride" in first
    assert "every case with stride > 1 fails, and every case without passes" in text


def test_another_case_that_names_a_second_mistake_is_shown():
    from student_impls import conv_forward_cs231n_ints  # crashes on (h, w) pairs and ignores dilation

    text = str(exercises.check("conv_forward_naive", conv_forward_cs231n_ints))
    assert "this case gives the stride or the padding as an (h, w) pair" in text
    assert "case 'dilation 2' tells more: out has shape (2, 3, 9, 9), expected (2, 3, 7, 8)" in text
    assert "conv_param['dilation'] is ignored" in text
    assert "also failed: case 'dilation 2'" not in text  # said once


def test_the_reference_under_another_name_is_named_and_the_real_reference_is_not():
    from cnnlab.layers import conv

    alias = {"f": conv.conv_forward_naive}

    def mine(x, w, b, conv_param):
        return alias["f"](x, w, b, conv_param)

    result = exercises.check("conv_forward_naive", mine)
    assert not result.passed
    assert "calls cnnlab's reference cnnlab.layers.conv.conv_forward_naive; grading will not count it" in str(result)
    assert "its results matched on 10/10 cases" in str(result)
    assert "_window" not in str(result)  # the reference's helpers are not named
    plain = exercises.check("conv_forward_naive", exercises.reference("conv_forward_naive"))
    assert plain.passed  # exercises.reference itself: PASS, marked as the reference


def test_a_failing_function_that_calls_the_reference_keeps_its_own_verdict():
    def strict(x, gamma, beta, G, gn_param):
        return L.spatial_groupnorm_forward(x, gamma, beta, G, {"eps": gn_param["eps"]})

    text = str(exercises.check("spatial_groupnorm_forward", strict))
    assert "raised KeyError: 'eps'" in text
    assert "note: your function calls cnnlab's reference cnnlab.layers.norm.spatial_groupnorm_forward" in text


def test_the_layers_a_network_is_built_from_are_not_its_answer_key():
    from student_impls import convnet_loss_layers

    assert exercises.check("three_layer_convnet_loss", convnet_loss_layers).passed


def test_the_watch_is_off_after_a_check():
    import sys

    from cnnlab.exercises import calling

    before = sys.getprofile()
    exercises.check("conv_forward_naive", conv_forward_loops)
    assert sys.getprofile() is before
    assert calling._WATCH["codes"] == {}


def test_a_nan_that_a_known_mistake_makes_is_named():
    def avg_pool_count_nonzero(x, pool_param):  # 0/0 in the windows of zeros of the case after a ReLU
        out, cache = L.avg_pool_forward_naive(x, pool_param)
        if pool_param.get("count_include_pad", True):
            return out, cache
        PH, PW = pool_param["pool_height"], pool_param["pool_width"]
        (sh, sw), (ph, pw) = (
            shapes.check_pair("stride", pool_param["stride"], 1),
            shapes.check_pair("pad", pool_param["pad"], 0),
        )
        xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                window = xpad[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW]
                with np.errstate(divide="ignore", invalid="ignore"):
                    out[:, :, i, j] = window.sum(axis=(2, 3)) / np.count_nonzero(window, axis=(2, 3))
        return out, cache

    pool_param = {"pool_height": 2, "pool_width": 3, "stride": 2, "pad": 1, "count_include_pad": False}
    x = np.maximum(np.random.default_rng(0).standard_normal((2, 2, 5, 4)), 0)
    assert np.isnan(avg_pool_count_nonzero(x, pool_param)[0]).any()  # the premise: the case makes NaN
    result = exercises.check("avg_pool_forward_naive", avg_pool_count_nonzero)
    assert result.cases_passed == result.total - 1  # only the case after a ReLU has windows of zeros
    assert "contains NaN" in str(result)
    assert "divided by the number of its non-zero values (np.count_nonzero)" in str(result.named_mistake())


def test_scores_through_a_softmax_and_a_gradient_averaged_over_the_images_are_named():
    from student_impls import convnet_loss_layers

    def probabilities(params, X, y=None, reg=0.0):
        out = convnet_loss_layers(params, X, y, reg)
        if y is None:
            shifted = np.exp(out - out.max(axis=1, keepdims=True))
            return shifted / shifted.sum(axis=1, keepdims=True)
        return out

    result = exercises.check("three_layer_convnet_loss", probabilities)
    assert "scores holds the softmax of the right values along axis 1" in str(result.named_mistake())

    def db3_mean(params, X, y=None, reg=0.0):
        out = convnet_loss_layers(params, X, y, reg)
        if y is None:
            return out
        loss, grads = out
        return loss, {**grads, "b3": grads["b3"] / X.shape[0]}

    result = exercises.check("three_layer_convnet_loss", db3_mean)
    named = str(result.named_mistake())  # the convnet's own recomputation, or the generic 1/N
    assert "grads['b3'] is divided by N twice" in named or "grads['b3'] is exactly 1/N times" in named
