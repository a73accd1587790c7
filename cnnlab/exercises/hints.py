"""Progressive hints for each exercise: from where to start to nearly the answer.

Written for someone who knows fully connected networks and backpropagation, but not yet
convolutions. ``give(name)`` returns the next hint for an exercise; which hint comes next
is remembered for the session (per exercise), nothing else is.
"""

from __future__ import annotations

from cnnlab.exercises.results import Hint

__all__ = ["HINTS", "give"]

_HELPERS = (
    "cnnlab.shapes.check_conv_inputs(x, w, b, conv_param) validates the inputs and returns\n"
    "x, w, b, stride, pad, dilation, (H_out, W_out), with stride, pad and dilation as (h, w)\n"
    "pairs: some cases give conv_param values as pairs, like stride=(1, 2)."
)

HINTS = {
    "conv_output_size": [
        "Count the positions where the filter fits. Along one axis the padded input has\n"
        "size + 2*pad pixels, and a filter of `kernel` taps with dilation d spans\n"
        "d*(kernel - 1) + 1 pixels.",
        "With stride 1, a window of span s fits at (size + 2*pad) - s + 1 positions.\n"
        "A larger stride keeps only every stride-th of them, starting with the first.",
        "Keeping every stride-th of M positions leaves (M - 1) // stride + 1 of them; use //\n"
        "so a stride that does not divide evenly drops the leftover pixels.",
        "O = (size + 2*pad - dilation*(kernel - 1) - 1) // stride + 1",
    ],
    "conv_forward_naive": [
        "Each output number is one dot product: filter f laid over one window of the padded\n"
        "input, all C channels at once, plus the bias b[f]. There is one output per sample n,\n"
        "filter f and window position (i, j): out has shape (N, F, H', W').\n" + _HELPERS,
        "Pad first: xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) pads only H and W\n"
        "(np.pad(x, pad) would pad N and C too). Then loop over n, f, i, j.",
        "The window of output (i, j) starts at row i*stride_h and column j*stride_w of xpad and\n"
        "takes every dilation-th pixel: xpad[n, :, i*sh : i*sh + dh*(HH-1) + 1 : dh, ...] has\n"
        "shape (C, HH, WW), the shape of w[f].",
        "out[n, f, i, j] = np.sum(window * w[f]) + b[f]. Do not flip w: CNN layers compute\n"
        "cross-correlation. Return out and a cache with what the backward pass will need,\n"
        "e.g. cache = (x, w, b, conv_param).",
    ],
    "conv_backward_naive": [
        "Walk the forward loops again. out[n, f, i, j] = sum(window * w[f]) + b[f] is a small\n"
        "fully connected neuron, so its upstream gradient g = dout[n, f, i, j] flows back as\n"
        "in an affine layer: to the window (times w[f]), to w[f] (times the window), to b[f].",
        "Accumulate: dw[f] += window * g and dxpad[n, :, window rows, window cols] += w[f] * g.\n"
        "Use +=, never =: a pixel in several windows (they overlap when stride < filter size)\n"
        "gets the sum of all their gradients, and w[f] is used by every n, i and j.",
        "db[f] is the sum of dout[n, f, i, j] over all n, i and j: dout.sum(axis=(0, 2, 3)).",
        "Compute the gradient with respect to the padded input, then cut the padding away:\n"
        "dx = dxpad[:, :, ph:ph + H, pw:pw + W] (not dxpad[:, :, ph:-ph], which is empty when\n"
        "ph = 0). Return (dx, dw, db), the shapes of (x, w, b).",
    ],
    "im2col": [
        "im2col copies every window of the padded input into one column, so that a convolution\n"
        "becomes one matrix product. For each sample: C*HH*WW rows (one per filter tap and\n"
        "channel) and H'*W' columns (one per output position): cols has shape\n"
        "(N, C*HH*WW, H'*W').",
        "Row order: row c*HH*WW + p*WW + q holds tap (p, q) of channel c, the order of\n"
        "w[f].reshape(-1). Column order: column i*W' + j is output position (i, j), the order of\n"
        "out[n, f].reshape(-1).",
        "With loops: for each (i, j), window = xpad[:, :, i*sh : i*sh + dh*(HH-1) + 1 : dh, ...]\n"
        "has shape (N, C, HH, WW); put window.reshape(N, -1) in column i*W' + j.",
        "Without loops over positions: loop over the HH*WW taps instead. Tap (p, q) of every\n"
        "window is one strided slice, xpad[:, :, p*dh : p*dh + sh*(H'-1) + 1 : sh, ...], of shape\n"
        "(N, C, H', W'); stack the taps on a new axis 2 and reshape to (N, C*HH*WW, H'*W').",
    ],
    "col2im": [
        "col2im undoes the layout of im2col for the backward pass: each column is a window's\n"
        "worth of values to put back where that window came from. x has shape x_shape.",
        "Where windows overlap, a pixel receives a value from each window that contains it: add\n"
        "them (+=). That sum is exactly the gradient of a pixel read by several windows.",
        "Build a padded (N, C, H + 2*ph, W + 2*pw) array of zeros, add each window's column\n"
        "reshaped to (N, C, HH, WW) into its slice (the same slices as in im2col), then cut the\n"
        "padding away: xpad[:, :, ph:ph + H, pw:pw + W].",
    ],
    "conv_forward_im2col": [
        "cols = im2col(x, HH, WW, stride, pad, dilation) has shape (N, C*HH*WW, H'*W'). Reshape\n"
        "w to one row per filter: w_row = w.reshape(F, -1), shape (F, C*HH*WW).\n" + _HELPERS,
        "w_row @ cols multiplies every filter with every window of every sample at once:\n"
        "(F, C*HH*WW) @ (N, C*HH*WW, H'*W') -> (N, F, H'*W'). Add the bias per filter,\n"
        "b[:, None] or b.reshape(1, F, 1), and reshape to (N, F, H', W').",
        "Keep cols in the cache: the backward pass needs it for dw. cache = (x, w, b,\nconv_param, cols).",
    ],
    "conv_backward_im2col": [
        "Treat out = w_row @ cols + b as an affine layer per sample, with\ndout_rows = dout.reshape(N, F, H'*W').",
        "dw_row = sum over n of dout_rows[n] @ cols[n].T, shape (F, C*HH*WW); reshape it to w's\n"
        "shape. db = dout.sum(axis=(0, 2, 3)).",
        "dcols = w_row.T @ dout_rows has shape (N, C*HH*WW, H'*W'): the gradient of every column.\n"
        "col2im(dcols, x.shape, HH, WW, stride, pad, dilation) adds each column back into its\n"
        "window, which is dx.",
    ],
    "max_pool_forward_naive": [
        "Max pooling slides a pool_height x pool_width window over each channel of each sample\n"
        "separately and keeps the largest value: out has shape (N, C, H', W') with\n"
        "H' = (H - pool_height) // stride + 1.",
        "Loop over n, c, i, j; the window of output (i, j) is\n"
        "x[n, c, i*sh : i*sh + pool_height, j*sw : j*sw + pool_width]. The stride may be an int or\n"
        "an (h, w) pair (cnnlab.shapes.check_pool_inputs returns it as a pair).",
        "Windows overlap when the stride is smaller than the window; that is fine: each output\n"
        "is the max of its own window. cache = (x, pool_param) is enough for the backward pass.",
    ],
    "max_pool_backward_naive": [
        "The max of a window depends only on its largest element, so the window's upstream\n"
        "gradient goes entirely to that element; the others get 0.",
        "For each window, find the position of its maximum: np.argmax(window) and\n"
        "np.unravel_index(..., window.shape). np.argmax gives the first one (row-major) when\n"
        "there are ties, which is what PyTorch and the reference do.",
        "Add, do not assign: dx[n, c, i*sh + p, j*sw + q] += dout[n, c, i, j]. With overlapping\n"
        "windows one element can be the maximum of several windows and gets all their gradients.",
        "The stride may be an (h, w) pair, as in the forward pass: use the template's (sh, sw), sh\n"
        "for rows and sw for columns, both to find window (i, j) at x[n, c, i*sh : i*sh + PH,\n"
        "j*sw : j*sw + PW] and to place its gradient at (i*sh + p, j*sw + q), with (p, q) the\n"
        "position of the maximum inside the window.",
    ],
    "spatial_batchnorm_forward": [
        "Spatial batch norm normalizes each channel with one mean and one variance taken over\n"
        "all samples and positions of that channel: axes (0, 2, 3), i.e. (N, H, W).",
        "Train mode: mean = x.mean(axis=(0, 2, 3)), var = x.var(axis=(0, 2, 3)) (biased);\n"
        "xhat = (x - mean) / np.sqrt(var + eps), reshaping the (C,) statistics to (1, C, 1, 1);\n"
        "out = gamma * xhat + beta, with gamma and beta as (1, C, 1, 1).",
        "Train mode also updates bn_param: running_mean = momentum * running_mean +\n"
        "(1 - momentum) * mean (the same for running_var with var). Start from zeros and ones\n"
        "if they are missing; store them back in bn_param. Read eps and momentum from bn_param\n"
        "(defaults 1e-5 and 0.9).",
        "Test mode normalizes with bn_param's running_mean and running_var instead, and changes\n"
        "nothing. Or reshape to 2-D: x.transpose(0, 2, 3, 1).reshape(-1, C) puts one channel per\n"
        "column (x.reshape(-1, C) alone would mix channels).",
    ],
    "spatial_batchnorm_backward": [
        "Start from the end: out = gamma * xhat + beta gives dbeta = sum of dout and\n"
        "dgamma = sum of dout * xhat, both over (N, H, W), returned in the shape gamma had.",
        "dxhat = dout * gamma. If mean and variance were constants, dx would be dxhat / std,\n"
        "but in train mode they depend on every x of the channel, which adds two more terms.",
        "With M = N*H*W elements per channel and means over (0, 2, 3):\n"
        "dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / np.sqrt(var + eps).\n"
        "(The fully connected version divides its sums by N; here every mean is over M = N*H*W.)",
        "Keep what you need in the forward's cache: xhat, gamma and 1/std (or x, mean, var, eps).",
    ],
    "spatial_groupnorm_forward": [
        "Group norm splits the C channels into G groups of C//G consecutive channels and\n"
        "normalizes each (sample, group) with its own mean and variance, over the group's\n"
        "channels and all positions. It does not look across samples, so train and test agree.",
        "x.reshape(N, G, -1) puts one group per row (channels c*C/G ... are consecutive in\n"
        "memory). Take the mean and variance over axis 2 with keepdims=True (axis 1 would mix the\n"
        "groups, axis 0 the samples).",
        "Read eps from gn_param: eps = gn_param.get('eps', 1e-5); one case gives another value.\n"
        "It goes inside the square root: xhat = (x - mean) / np.sqrt(var + eps).",
        "Normalize, reshape back to (N, C, H, W), then scale and shift per channel:\n"
        "out = gamma * xhat + beta with gamma, beta as (1, C, 1, 1). G = 1 is layer norm and\n"
        "G = C is instance norm: good cases to test yourself on.",
    ],
    "spatial_groupnorm_backward": [
        "dgamma and dbeta are the same as in batch norm: sums over (N, H, W) of dout * xhat and\n"
        "of dout, in gamma's shape.",
        "For dx, the statistics are shared within each (sample, group): reshape dxhat = dout * gamma\n"
        "and xhat to (N, G, -1) and take the means over axis 2.",
        "dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / np.sqrt(var + eps) on the\n"
        "(N, G, -1) view, then reshape to (N, C, H, W). Use the eps of the forward pass (keep it, or\n"
        "1/std, in the cache).",
    ],
    "three_layer_convnet_loss": [
        "Chain the layers of cnnlab.layers, keeping every cache: conv_forward_im2col (or _naive)\n"
        "with conv_param = {'stride': 1, 'pad': (HH - 1) // 2}, relu_forward, max_pool_forward_im2col\n"
        "with {'pool_height': 2, 'pool_width': 2, 'stride': 2}, affine_forward (it flattens the\n"
        "(N, F, H', W') maps itself), relu_forward, affine_forward. If y is None, return the scores.",
        "With labels: data_loss, dscores = layers.softmax_loss(scores, y) (already averaged over\n"
        "the batch), then the backward functions in reverse order, each with the cache of its own\n"
        "forward: affine_backward, relu_backward, affine_backward, max_pool_backward_im2col,\n"
        "relu_backward, conv_backward_im2col.",
        "Store each gradient under its parameter's name: grads['W3'], grads['b3'] from the last\n"
        "affine_backward, grads['W2'], grads['b2'] from the first, grads['W1'], grads['b1'] from the\n"
        "conv backward (its dx is not needed).",
        "Regularize the weights only: loss = data_loss + 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2)\n"
        "+ np.sum(W3**2)), and grads[name] += reg * params[name] for W1, W2, W3 (the 0.5 cancels\n"
        "the 2 of the derivative). The biases get no regularization. Return (loss, grads).",
    ],
}

_shown: dict = {}


def give(name: str, level: int | None = None) -> Hint:
    """Hint ``level`` (1-based) for ``name``, or the one after the last one given."""
    texts = HINTS[name]
    if level is None:
        level = min(_shown.get(name, 0) + 1, len(texts))
    else:
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= len(texts):
            raise ValueError(f"level must be an integer from 1 to {len(texts)} for {name!r}, got {level!r}")
    _shown[name] = max(_shown.get(name, 0), level)
    last_words = ""
    if level == len(texts):
        last_words = (
            f"(That was the last hint. To go on with the reference implementation: "
            f'{name} = exercises.reference("{name}"); to read it: exercises.solution("{name}"))'
        )
    return Hint(name, level, len(texts), texts[level - 1], last_words)
