"""cnnlab: learn how a CNN layer really works, by writing it and checking it.

Start with ``cnnlab.layers`` (the reference layers) and the lessons in ``lessons/``.
Importing cnnlab imports neither matplotlib nor ipywidgets; ``cnnlab.widgets`` does.
"""

__version__ = "0.1.0"
