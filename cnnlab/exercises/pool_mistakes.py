"""Max pooling's mistakes, recomputed. Each window is (N, C, a, b): every sample and channel at once, one
loop over the output positions (i, j); a window cut at the edge of x is cut as slicing does. The window
variants (``window_variants``: the wrong size or place, one thing changed each) serve average pooling too.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnlab import layers as L
from cnnlab import shapes
from cnnlab.exercises.exercise import CrashAdvice, mistake
from cnnlab.exercises.pool_words import POOL, WINDOW_MISTAKES, read_place_sentence

# ---------------------------------------------------------------------------------------------
# Mistakes, recomputed. Each window is (N, C, a, b): every sample and channel at once, one
# loop over the output positions (i, j); a window cut at the edge of x is cut as slicing does.


def pool_geometry(pool_param):
    stride = shapes.check_pair("stride", pool_param["stride"], 1)
    return pool_param["pool_height"], pool_param["pool_width"], stride


def window_variants(kernel, stride, out_hw) -> dict:
    """{key: (size, start)} of the windows a student gets wrong, one thing changed each: ``size``
    (rows, columns) and ``start(i, j) -> (row, column)``. Only those that differ from the right ones."""
    PH, PW = kernel
    sh, sw = stride
    found = {
        "step pool size": ((PH, PW), lambda i, j: (i * PH, j * PW)),
        "step 1": ((PH, PW), lambda i, j: (i, j)),
        "rows step 1": ((PH, PW), lambda i, j: (i, j * sw)),
        "cols step 1": ((PH, PW), lambda i, j: (i * sh, j)),
        "stride h for w": ((PH, PW), lambda i, j: (i * sh, j * sh)),
        "stride w for h": ((PH, PW), lambda i, j: (i * sw, j * sw)),
        "stride swapped": ((PH, PW), lambda i, j: (i * sw, j * sh)),
        "swapped": ((PW, PH), lambda i, j: (i * sh, j * sw)),
        "square PH": ((PH, PH), lambda i, j: (i * sh, j * sw)),
        "square PW": ((PW, PW), lambda i, j: (i * sh, j * sw)),
        "short": ((PH - 1, PW - 1), lambda i, j: (i * sh, j * sw)),
        "short rows": ((PH - 1, PW), lambda i, j: (i * sh, j * sw)),
        "short cols": ((PH, PW - 1), lambda i, j: (i * sh, j * sw)),
        "long": ((PH + 1, PW + 1), lambda i, j: (i * sh, j * sw)),
        "size from stride": ((sh, sw), lambda i, j: (i * sh, j * sw)),
        "i for j": ((PH, PW), lambda i, j: (i * sh, i * sw)),
        "j for i": ((PH, PW), lambda i, j: (j * sh, j * sw)),
        "i and j swapped": ((PH, PW), lambda i, j: (j * sh, i * sw)),
    }
    grid = [(i, j) for i in range(out_hw[0]) for j in range(out_hw[1])]
    right = [(i * sh, j * sw) for i, j in grid]
    return {
        key: (size, start)
        for key, (size, start) in found.items()
        if size != (PH, PW) or [start(i, j) for i, j in grid] != right
    }


def _pool_windows(hw, size, start, out_hw):
    """[(i, j, rows, cols)] of windows of ``size`` at ``start(i, j)``, cut at the edge of (H, W)."""
    H, W = hw
    found = []
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            r, s = start(i, j)
            found.append((i, j, slice(r, min(r + size[0], H)), slice(s, min(s + size[1], W))))
    return found


# np.max or np.argmax of an empty window (one that starts past the input)
_EMPTY_WINDOW = ("zero-size array", "empty sequence")
# a sentence that is also true of other variants that empty a window of the same case (the rows step by sw
# whether the pair is swapped or sw is used for both)
_ALSO_TRUE = {"stride w for h": {"stride swapped"}, "stride h for w": {"stride swapped"}}


def _empties_a_window(key: str):
    """applies(args, message) for an empty-window crash that the window mistake ``key`` explains: it
    leaves a window of this case empty, the right windows do not, and no other mistake does (but those
    its sentence is also true of)."""

    def applies(args, message) -> bool:
        if not any(text in message for text in _EMPTY_WINDOW):
            return False
        x, pool_param = args[:2]
        PH, PW, stride = pool_geometry(pool_param)
        out_hw = shapes.check_pool_inputs(x, pool_param)[-1]
        emptying = {
            k
            for k, (size, start) in window_variants((PH, PW), stride, out_hw).items()
            if any(
                r.start >= r.stop or c.start >= c.stop for *_, r, c in _pool_windows(x.shape[2:], size, start, out_hw)
            )
        }
        return key in emptying and emptying <= {key} | _ALSO_TRUE.get(key, set())

    return applies


def empty_window_crashes(prefix: str) -> tuple:
    """The crash advice of a forward (prefix "") or backward ("backward ") pass whose window is empty."""
    keys = ("step pool size", *WINDOW_MISTAKES)
    return tuple(
        CrashAdvice(kind=ValueError, text="", tag="", advice=POOL[f"{prefix}{key}"], applies=_empties_a_window(key))
        for key in keys
        if f"{prefix}{key}" in POOL
    )


def _right_windows(x, pool_param, out_hw):
    PH, PW, (sh, sw) = pool_geometry(pool_param)
    return _pool_windows(x.shape[2:], (PH, PW), lambda i, j: (i * sh, j * sw), out_hw)


def _pool_out(x, windows, out_hw, reduce):
    """out (N, C, H', W') with every window (N, C, a, b) reduced by ``reduce`` to (N, C); None if one is empty."""
    out = np.zeros((*x.shape[:2], *out_hw))
    for i, j, rows, cols in windows:
        window = x[:, :, rows, cols]
        if window.size == 0:
            return None
        out[:, :, i, j] = reduce(window)
    return out


def _flat(window):
    return window.reshape(*window.shape[:2], -1)


def _max(window):
    return window.max(axis=(2, 3))


def _largest_magnitude(window):
    flat = _flat(window)
    return np.take_along_axis(flat, np.abs(flat).argmax(axis=-1)[..., None], axis=-1)[..., 0]


REDUCE = {
    "average": lambda w: w.mean(axis=(2, 3)),
    "min": lambda w: w.min(axis=(2, 3)),
    "abs": _largest_magnitude,
    "abs value": lambda w: np.abs(w).max(axis=(2, 3)),
    "sum": lambda w: w.sum(axis=(2, 3)),
    "argmax": lambda w: _flat(w).argmax(axis=-1).astype(float),
    "relu": lambda w: np.maximum(_max(w), 0),
    "max over samples": lambda w: np.broadcast_to(w.max(axis=(0, 2, 3)), w.shape[:2]),
    "max over channels": lambda w: np.broadcast_to(w.max(axis=(1, 2, 3))[:, None], w.shape[:2]),
    "max over all": lambda w: np.full(w.shape[:2], w.max()),
}


def pool_forward(args, dout=None):
    """Mistakes in max pooling's forward pass: out (N, C, H', W')."""
    x, pool_param = args
    PH, PW, stride = pool_geometry(pool_param)
    hw = L.max_pool_forward_im2col(x, pool_param)[0].shape[2:]
    right = _right_windows(x, pool_param, hw)
    found = [mistake("out", POOL[key], lambda r=reduce: _pool_out(x, right, hw, r)) for key, reduce in REDUCE.items()]
    for key, (size, start) in window_variants((PH, PW), stride, hw).items():
        windows = _pool_windows(x.shape[2:], size, start, hw)
        found.append(mistake("out", POOL[key], lambda w=windows: _pool_out(x, w, hw, _max)))
    H, W = x.shape[2:]
    clipped = _pool_windows((H - 1, W - 1), (PH, PW), lambda i, j: (i * stride[0], j * stride[1]), hw)
    found.append(mistake("out", POOL["end at H - 1"], lambda: _pool_out(x, clipped, hw, _max)))
    N, C = x.shape[:2]
    if H % PH == 0 and W % PW == 0:  # side-by-side tiles (of another size than H' x W' where that is wrong)
        found.append(("out", POOL["tiles"], x.reshape(N, C, H // PH, PH, W // PW, PW).max(axis=(3, 5))))
    Ho, Wo = L.max_pool_forward_im2col(x, pool_param)[0].shape[2:]
    if Ho * PH <= H and Wo * PW <= W:  # H' x W' side-by-side tiles of the top-left of x
        tiles = x[:, :, : Ho * PH, : Wo * PW].reshape(N, C, Ho, PH, Wo, PW).max(axis=(3, 5))
        found.append(("out", POOL["tiles"], tiles))
    every = sliding_window_view(x, (PH, PW), axis=(2, 3)).max(axis=(4, 5))  # the windows at every position
    steps = (
        ("stride swapped", stride[::-1]),
        ("stride h for w", (stride[0],) * 2),
        ("stride w for h", (stride[1],) * 2),
    )
    for key, (rows, cols) in steps:
        if (rows, cols) != stride:  # every window's max subsampled with the wrong steps: a size of its own
            found.append(("out", POOL[key], every[:, :, ::rows, ::cols]))
    right_out = L.max_pool_forward_im2col(x, pool_param)[0]
    found += [("out", POOL["bound of the other axis"], v) for v in other_bound(right_out)]
    found += [("out", POOL["starts stop short"], v) for v in short_starts(right_out, (H, W), (PH, PW), stride)]
    return found


def other_bound(value) -> list:
    """[out (or dout)] of loops whose column index runs over range(H') where W' > H' (or whose row index runs
    over range(W') where H' > W'): the outputs past the other axis's bound stay 0."""
    Ho, Wo = value.shape[2:]
    found = []
    if Wo > Ho:
        short = value.copy()
        short[:, :, :, Ho:] = 0
        found.append(short)
    if Ho > Wo:
        short = value.copy()
        short[:, :, Wo:] = 0
        found.append(short)
    return found


def _starts_done(n, k, s) -> int:
    """How many window starts range(0, n - k, s) visits: one short of (n - k) // s + 1 where s divides n - k."""
    return len(range(0, n - k, s))


def short_starts(value, hw, kernel, stride, axes=(0, 1)) -> list:
    """[out (or dout)] with the windows that range(0, H - PH, sh) (and range(0, W - PW, sw)) never reach
    set to 0: the rows' loop one short, the columns', or both (``hw``: the size the windows slide over)."""
    done = [_starts_done(n, k, s) for n, k, s in zip(hw, kernel, stride)]
    found = []
    for which in ((0,), (1,), (0, 1)):
        if any(done[a] == value.shape[2 + a] for a in which):
            continue
        short = value.copy()
        for a in which:
            short[(slice(None),) * (2 + a) + (slice(done[a], None),)] = 0
        found.append(short)
    return found


def _tiles_crash(args, message) -> bool:
    """x.reshape(N, C, H // PH, PH, W // PW, PW) of an x that H // PH and W // PW tiles do not cover."""
    x, pool_param = args[:2]
    PH, PW, _ = pool_geometry(pool_param)
    N, C, H, W = x.shape
    Ho, Wo = shapes.check_avg_pool_inputs(x, pool_param)[-1]  # max or average pooling's pool_param
    text = message.replace(" ", "")
    return any(f"intoshape({N},{C},{a},{PH},{b},{PW})" in text for a in {H // PH, Ho} for b in {W // PW, Wo})


# the crash of a reshape into tiles (side-by-side windows)
TILES = CrashAdvice(kind=ValueError, text="cannot reshape", tag="", advice=POOL["tiles"], applies=_tiles_crash)


def _one_hot(window, flat_index):
    """(N, C, a, b): 1 at each window's ``flat_index`` (N, C), 0 elsewhere."""
    weights = np.zeros(_flat(window).shape)
    np.put_along_axis(weights, flat_index[..., None], 1.0, axis=-1)
    return weights.reshape(window.shape)


def first_winner(window):
    return _one_hot(window, _flat(window).argmax(axis=-1))


def _last(window):
    flat = _flat(window)
    return _one_hot(window, flat.shape[-1] - 1 - flat[..., ::-1].argmax(axis=-1))


def _split_argmax(window):
    """1 at (the row holding the largest value, the column holding the largest value), found apart."""
    r = window.max(axis=3).argmax(axis=2)
    s = window.max(axis=2).argmax(axis=2)
    weights = np.zeros(window.shape)
    n, c = np.meshgrid(np.arange(window.shape[0]), np.arange(window.shape[1]), indexing="ij")
    weights[n, c, r, s] = 1.0
    return weights


def _ties(window):
    return (window == window.max(axis=(2, 3), keepdims=True)).astype(float)


# how each window's dout d (N, C) is shared among its pixels: route(window, d) -> (N, C, a, b)
ROUTE = {
    "last max": lambda w, d: _last(w) * d[..., None, None],
    "all max": lambda w, d: _ties(w) * d[..., None, None],
    "split max": lambda w, d: _ties(w) / _ties(w).sum(axis=(2, 3), keepdims=True) * d[..., None, None],
    "spread": lambda w, d: np.broadcast_to(d[..., None, None] / (w.shape[2] * w.shape[3]), w.shape),
    "everywhere": lambda w, d: np.broadcast_to(d[..., None, None], w.shape),
    "backward min": lambda w, d: _one_hot(w, _flat(w).argmin(axis=-1)) * d[..., None, None],
    "backward abs": lambda w, d: _one_hot(w, np.abs(_flat(w)).argmax(axis=-1)) * d[..., None, None],
    "times max": lambda w, d: first_winner(w) * (d * _max(w))[..., None, None],
    "no dout": lambda w, d: first_winner(w),
    "negated": lambda w, d: -first_winner(w) * d[..., None, None],
    "backward max over all": lambda w, d: (w == w.max()) * d[..., None, None],
    "argmax split": lambda w, d: _split_argmax(w) * d[..., None, None],
    "column-major first": lambda w, d: _column_major(w, first_winner) * d[..., None, None],
    "column-major last": lambda w, d: _column_major(w, _last) * d[..., None, None],
    "best starts at 0": lambda w, d: _from_zero(w) * d[..., None, None],
}


def _column_major(window, pick):
    """The winner of a scan over the columns first (q outer, p inner): ``pick`` of the transposed window."""
    return pick(window.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)


def _from_zero(window):
    """A scan whose best starts at 0 (not -inf): where no value beats 0, the window's first pixel gets it."""
    corner = np.zeros(window.shape)
    corner[:, :, 0, 0] = 1.0
    beaten = (_max(window) > 0)[..., None, None]
    return np.where(beaten, first_winner(window), corner)


def _route_first(window, d):
    return first_winner(window) * d[..., None, None]


def _pool_dx(x, dout, windows, route=_route_first, assign=None):
    """dx with each window's dout routed by ``route``; assign "winner" (=, at the routed pixels) or
    "window" (=, the whole window) instead of +=."""
    dx = np.zeros(x.shape)
    for i, j, rows, cols in windows:
        window = x[:, :, rows, cols]
        part = route(window, dout[:, :, i, j])
        if assign is None:
            dx[:, :, rows, cols] += part
        elif assign == "window":
            dx[:, :, rows, cols] = part
        else:
            target = dx[:, :, rows, cols]  # a view: assigning into it writes dx
            chosen = part != 0
            target[chosen] = part[chosen]
    return dx


def _pool_dx_placed(x, dout, windows, place):
    """dx with each window's first maximum found rightly but placed at ``place(r0, s0, i, j, k, b)`` ->
    (row, column) arrays (N, C), k the flat index in a window of b columns; places outside x are dropped."""
    N, C, H, W = x.shape
    dx = np.zeros(x.shape)
    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for i, j, rows, cols in windows:
        window = x[:, :, rows, cols]
        k = _flat(window).argmax(axis=-1)
        r, s = place(rows.start, cols.start, i, j, k, window.shape[3])
        r, s = np.broadcast_to(r, (N, C)), np.broadcast_to(s, (N, C))
        inside = (r >= 0) & (r < H) & (s >= 0) & (s < W)
        np.add.at(dx, (n[inside], c[inside], r[inside], s[inside]), dout[:, :, i, j][inside])
    return dx


def _pool_dx_whole_map(x, dout):
    """dx with every window's gradient sent to the first maximum of its whole map x[n, c]."""
    N, C, H, W = x.shape
    p, q = np.divmod(x.reshape(N, C, -1).argmax(axis=-1), W)  # (N, C)
    dx = np.zeros(x.shape)
    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    np.add.at(dx, (n, c, p, q), dout.sum(axis=(2, 3)))
    return dx


def pool_backward(args, dout):
    """Mistakes in max pooling's backward pass: dx (N, C, H, W)."""
    x, pool_param = args
    PH, PW, (sh, sw) = pool_geometry(pool_param)
    H, W = x.shape[2:]
    hw = dout.shape[2:]
    right = _right_windows(x, pool_param, hw)
    place = {  # (r0, s0, i, j, k, b) -> where the gradient lands
        "backward no stride": lambda r0, s0, i, j, k, b: (i + k // b, j + k % b),
        "backward rows no stride": lambda r0, s0, i, j, k, b: (i + k // b, s0 + k % b),
        "backward cols no stride": lambda r0, s0, i, j, k, b: (r0 + k // b, j + k % b),
        "no offset": lambda r0, s0, i, j, k, b: (k // b, k % b),
        "unravel PH": lambda r0, s0, i, j, k, b: (r0 + k // PH, s0 + k % PH),
        "unravel HW": lambda r0, s0, i, j, k, b: (r0 + k // W, s0 + k % W),
        "p q swapped": lambda r0, s0, i, j, k, b: (r0 + k % b, s0 + k // b),
    }
    found = [mistake("dx", POOL[key], lambda p=p: _pool_dx_placed(x, dout, right, p)) for key, p in place.items()]
    found += [mistake("dx", POOL[key], lambda r=r: _pool_dx(x, dout, right, r)) for key, r in ROUTE.items()]
    found += [
        mistake("dx", POOL["overwrite"], lambda: _pool_dx(x, dout, right, assign="winner")),
        mistake("dx", POOL["overwrite"], lambda: _pool_dx(x, dout, right, assign="window")),
        mistake("dx", POOL["no dout"], lambda: _pool_dx(x, dout, right, ROUTE["no dout"], assign="winner")),
        mistake("dx", POOL["argmax whole map"], lambda: _pool_dx_whole_map(x, dout)),
        mistake("dx", POOL["slices with index arrays"], lambda: _pool_dx_sliced(x, dout, (PH, PW), (sh, sw))),
        mistake("dx", POOL["dx from x"], lambda: x + _pool_dx(x, dout, right)),
        mistake("dx", POOL["max over area"], lambda: _pool_dx(x, dout, right) / (PH * PW)),
    ]
    variants = window_variants((PH, PW), (sh, sw), hw)
    for key, (size, start) in variants.items():
        windows = _pool_windows((H, W), size, start, hw)
        found.append(mistake("dx", POOL[f"backward {key}"], lambda w=windows: _pool_dx(x, dout, w)))
    found += _read_place_mistakes(x, dout, (PH, PW), (sh, sw), variants)
    for short in other_bound(dout):
        found.append(mistake("dx", POOL["backward bound of the other axis"], lambda s=short: _pool_dx(x, s, right)))
    for short in short_starts(dout, (H, W), (PH, PW), (sh, sw)):
        found.append(mistake("dx", POOL["backward starts stop short"], lambda s=short: _pool_dx(x, s, right)))
    return found


def _pool_dx_sliced(x, dout, kernel, stride):
    """dx[:, :, rows, cols] += dout[:, :, i, j] with the winners' rows and cols as (N, C) index arrays: NumPy
    pairs the slices over n and c with every (n, c) of the arrays (a repeated pixel added once, the last)."""
    (PH, PW), (sh, sw) = kernel, stride
    N, C = x.shape[:2]
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = x[:, :, i * sh : i * sh + PH, j * sw : j * sw + PW].reshape(N, C, -1)
            p, q = np.unravel_index(window.argmax(axis=2), (PH, PW))
            dx[:, :, i * sh + p, j * sw + q] += dout[:, :, i, j]
    return dx


def _read_place_mistakes(x, dout, kernel, stride, variants) -> list:
    """The maximum looked for in one window and its gradient placed from another's start: every pair of
    the windows of ``window_variants`` (and the right one) whose starts differ, the placement a start only."""
    hw = dout.shape[2:]
    grid = [(i, j) for i in range(hw[0]) for j in range(hw[1])]
    right = lambda i, j: (i * stride[0], j * stride[1])  # noqa: E731
    reads = {"right": (kernel, right), **variants}
    places = {"right": right, **{key: start for key, (size, start) in variants.items() if size == kernel}}
    already = {"step 1", "rows step 1", "cols step 1"}  # read right, placed without a stride: named above
    found = []
    for read, (size, start) in reads.items():
        windows = _pool_windows(x.shape[2:], size, start, hw)
        starts = [start(i, j) for i, j in grid]
        for place, where in places.items():
            if [where(i, j) for i, j in grid] == starts or (read == "right" and place in already):
                continue

            def placed(r0, s0, i, j, k, b, where=where):
                r, s = where(i, j)
                return r + k // b, s + k % b

            value = lambda w=windows, p=placed: _pool_dx_placed(x, dout, w, p)  # noqa: E731
            found.append(mistake("dx", read_place_sentence(read, place), value))
    return found
