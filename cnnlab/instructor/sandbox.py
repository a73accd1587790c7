"""Where a submission's code runs while it is graded, and what it can reach there.

**The grading copy of cnnlab** (``build_package``). The student's kernel imports a copy of
cnnlab without the answer key of the exercises being graded (``Exercise.answer_key``: the
reference, its im2col twin, the family's helpers): each of those functions is replaced by
a stand-in (``kernel.stand_in``) that calls the student's own function of that name, if
there is one, and otherwise raises ``AnswerKeyHiddenError``; so the answer can be neither
called nor read, and a lesson's cells still run on the student's code. The copy has no
checker, expected values, diagnoses or hints either: ``exercises.check`` there returns a
"checked by the grader" placeholder, and ``exercises.reference(name)`` gives the student's
own function (so a lesson's fallback cell still runs). Explorers are inert (nothing is
drawn while grading); the widget modules that only hold data (``cnnlab.widgets.filters``)
are kept.

**The sandbox** (``Sandbox``). Where bubblewrap (``bwrap``) works, each kernel runs in one:
no network, its own PID namespace (nothing it starts outlives it), no capabilities, a
user namespace, a read-only view of the system and of Python (only the folders Python
needs; no home folders, no submissions, no sources, no results), the grading copy of
cnnlab in place of the installed one, a private empty working folder and ``/tmp`` (small
in-memory file systems), and an address-space limit. Without bubblewrap the kernel is a
plain process with the same limits and the grading copy first on its path, and the judge
kills every process it started (a child subreaper, on Linux), but it can read and write
whatever the grader's account can: ``describe()`` says which it is.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = [
    "DEFAULT_MEMORY",
    "Sandbox",
    "available",
    "describe",
    "build_package",
    "become_subreaper",
    "cpu_seconds",
    "descendants",
    "kill_descendants",
]

DEFAULT_MEMORY = 2 * 2**30  # bytes of address space for one kernel: a Binder session's budget
SCRATCH = 256 * 2**20  # bytes of the in-memory working folder and /tmp in the sandbox
HOME = "/home/student"  # the kernel's working folder inside the sandbox
PACKAGE = "/opt/cnnlab-grading"  # where the grading copy of cnnlab is mounted
_ETC = ("ld.so.cache", "localtime", "passwd", "group", "nsswitch.conf", "fonts", "matplotlibrc", "mime.types")
_LEFT_OUT = ("cli.py", "__main__.py", "notebooks.py", "widgets", "exercises", "instructor")
_KEPT_INSIDE = {"exercises": ("running.py",), "instructor": ("kernel.py", "wire.py")}


# ---------------------------------------------------------------------------------------------
# bubblewrap


@functools.lru_cache(maxsize=1)
def available() -> str | None:
    """The path of a bubblewrap that works here (user and PID namespaces), or None."""
    if os.environ.get("CNNLAB_NO_SANDBOX"):
        return None
    path = shutil.which("bwrap")
    if path is None:
        return None
    try:
        done = subprocess.run(
            [path, "--unshare-all", "--unshare-user", "--die-with-parent", "--ro-bind", "/", "/", "true"],
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if done.returncode == 0 else None


def describe() -> str:
    """One line on how submissions are contained here."""
    if available():
        return (
            "sandboxed with bubblewrap: no network, no files outside a private working folder, "
            "nothing outlives grading, memory limited"
        )
    reason = (
        "CNNLAB_NO_SANDBOX is set" if os.environ.get("CNNLAB_NO_SANDBOX") else "bubblewrap (bwrap) is not available"
    )
    return (
        f"NOT sandboxed ({reason}): submissions run with your permissions and can read and write your files; "
        "time and memory are limited and every process they start is killed. Install bubblewrap "
        "(Debian/Ubuntu: apt install bubblewrap) for grades you put in a gradebook"
    )


class Sandbox:
    """How to start one student kernel: ``command(...)`` gives the argv, environment and limits."""

    def __init__(self, package: Path, memory: int = DEFAULT_MEMORY, threads: int | None = None):
        self.package = Path(package)  # the folder holding the grading copy ``cnnlab/``
        self.memory = int(memory)
        self.threads = threads
        self.bwrap = available()

    @property
    def sandboxed(self) -> bool:
        return self.bwrap is not None

    def command(self, workdir: Path, fds: tuple) -> tuple:
        """``(argv, env, cwd)`` to start the kernel that talks on file descriptors ``fds`` (in, out)."""
        kernel = [sys.executable, "-m", "cnnlab.instructor.kernel", *map(str, fds)]
        home = HOME if self.sandboxed else str(workdir)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "PYTHONPATH": PACKAGE if self.sandboxed else str(self.package),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
            "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": f"{home}/.matplotlib",
            "IPYTHONDIR": f"{home}/.ipython",
            "LANG": "C.UTF-8",
        }
        if self.threads:
            for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "CNNLAB_NUM_THREADS"):
                env[variable] = str(self.threads)
        if not self.sandboxed:
            return kernel, env, str(workdir)
        return [self.bwrap, *self._mounts(), "--chdir", HOME, "--", *kernel], env, "/"

    def _mounts(self) -> list:
        args = ["--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
        # first the in-memory folders: a bind below /tmp (a checkout's .venv there) must go on top of them
        args += ["--size", str(SCRATCH), "--tmpfs", "/tmp", "--size", str(SCRATCH), "--tmpfs", HOME]
        args += ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = Path("/") / name
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                args += ["--ro-bind", str(path), str(path)]
        for name in _ETC:
            args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        for folder in _python_folders():
            args += ["--ro-bind", folder, folder]
        installed = _installed_package()
        args += ["--ro-bind", str(self.package / "cnnlab"), installed]  # the grading copy, where cnnlab is
        args += ["--ro-bind", str(self.package), PACKAGE]
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += ["--remount-ro", "/"]
        return args

    def self_test(self, workdir: Path) -> None:
        """Start Python the way a kernel starts, and import what a kernel imports; ValueError if it fails."""
        argv, env, cwd = self.command(workdir, ())
        argv = argv[: argv.index("-m")] + ["-c", _SELF_TEST]
        try:
            done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, preexec_fn=self.limits)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ValueError(f"the grading kernel cannot start here ({exc})") from None
        if done.returncode != 0:
            lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
            how = "in the bubblewrap sandbox" if self.sandboxed else "as a plain process"
            tip = "; set CNNLAB_NO_SANDBOX=1 to grade without the sandbox" if self.sandboxed else ""
            raise ValueError(f"the grading kernel cannot start {how}: {lines[-1][:300] if lines else done.returncode}{tip}")

    def limits(self) -> None:
        """Set in the child before it starts (``preexec_fn``): memory, no core dumps, and death with the judge."""
        resource.setrlimit(resource.RLIMIT_AS, (self.memory, self.memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG (Linux)


_SELF_TEST = """
import os, cnnlab
root = os.path.dirname(os.path.dirname(os.path.abspath(cnnlab.__file__)))
from cnnlab.instructor import kernel
if not os.path.abspath(kernel.__file__).startswith(root + os.sep):
    raise ModuleNotFoundError("No module named 'cnnlab.instructor' in the grading copy")
kernel._only_the_grading_copy()
import numpy, IPython, cnnlab.layers, cnnlab.exercises.running
"""


def _python_folders() -> list:
    """The folders this Python needs: its installation, the virtual environment, site-packages.

    Never a folder that holds the checkout cnnlab was installed from in editable mode (it
    has the instructor's sources): only its virtual environment, which may live inside it.
    """
    package = Path(_installed_package())
    home = package.parent  # site-packages, or the checkout of an editable install
    installed = any(part in ("site-packages", "dist-packages") for part in home.parts)
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    candidates.add(str(Path(sys.executable).resolve().parents[1]))
    candidates.update(p for p in sys.path if p and ("site-packages" in p or "dist-packages" in p))
    resolved = {Path(c).resolve() for c in candidates if Path(c).is_dir()}
    found: list = []
    for folder in sorted(resolved, key=lambda p: len(p.parts)):
        if folder == Path("/") or folder.parts[:2] == ("/", "usr"):
            continue
        if any(folder == kept or kept in folder.parents for kept in found):
            continue
        if not installed and (folder == home or folder in home.parents):
            continue
        found.append(folder)
    return [str(folder) for folder in found]


def _installed_package() -> str:
    import cnnlab

    return str(Path(cnnlab.__file__).resolve().parent)


# ---------------------------------------------------------------------------------------------
# The grading copy of cnnlab


_HIDDEN_IMPORT = "\n\nfrom cnnlab.instructor.kernel import stand_in as _stand_in  # noqa: E402 - grading copy\n"

_EXERCISES_MODULE = '''"""cnnlab.exercises while a notebook is graded: the checks run in the judge, not here.

``check`` returns a placeholder (the grader checks each exercise itself, outside this
kernel); ``reference(name)`` gives your own function of that name, so a lesson's
fallback cell still runs; hints and solutions are not available.
"""

from cnnlab.instructor.kernel import hidden as _hidden
from cnnlab.instructor.kernel import student_function as _student

DEFAULT_TIME_LIMIT = 20.0
_NAMES = {names!r}


class _NotChecked:
    passed = True  # not known here; True keeps a notebook's own asserts and fallbacks quiet
    outcomes = ()

    def __init__(self, name):
        self.name = name

    def __bool__(self):
        return True

    def __repr__(self):
        return f"{{self.name}}: checked by the grader, outside this notebook"

    def plot(self):
        return None


def check(name, fn=None, forward=None, *args, **kwargs):
    return _NotChecked(name)


def reference(name):
    def yours(*args, **kwargs):
        function = _student(name)
        if function is None:
            raise _hidden(f"exercises.reference({{name!r}})")
        return function(*args, **kwargs)

    yours.__name__ = yours.__qualname__ = str(name)
    return yours


def solution(name):
    raise _hidden(f"exercises.solution({{name!r}})")


def hint(name, level=None):
    return "(hints are not shown while grading)"


def names():
    return list(_NAMES)


def describe(name):
    return str(name)
'''

_WIDGETS_MODULE = '''"""cnnlab.widgets while a notebook is graded: explorers are inert (nothing is drawn)."""


class _Inert:
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return _Inert()

    def __call__(self, *args, **kwargs):
        return _Inert()

    def __iter__(self):
        return iter(())

    def __bool__(self):
        return False

    def __repr__(self):
        return "(not shown while grading)"


{assignments}
'''


def build_package(dest: Path, graded) -> Path:
    """Write into ``dest/cnnlab`` the grading copy of cnnlab for the exercises ``graded``; returns ``dest``."""
    from cnnlab.exercises import catalog

    source = Path(_installed_package())
    hidden = catalog.answer_key(graded)
    target = Path(dest) / "cnnlab"
    for path in sorted(source.rglob("*.py")):
        relative = path.relative_to(source)
        if "__pycache__" in relative.parts or not _kept(relative, path):
            continue
        module = ".".join(("cnnlab", *relative.with_suffix("").parts)).removesuffix(".__init__")
        text = path.read_text(encoding="utf-8")
        if module in hidden:
            text = _without(text, hidden[module], module)
        _write(target / relative, text)
    _write(target / "exercises" / "__init__.py", _EXERCISES_MODULE.format(names=list(catalog_names())))
    _write(target / "instructor" / "__init__.py", '"""The student side of grading only."""\n')
    widgets = _public_names(source / "widgets" / "__init__.py")
    _write(
        target / "widgets" / "__init__.py",
        _WIDGETS_MODULE.format(assignments="\n".join(f"{name} = _Inert" for name in widgets)),
    )
    return Path(dest)


def catalog_names() -> list:
    from cnnlab import exercises

    return exercises.names()


def _kept(relative: Path, path: Path) -> bool:
    """Whether the grading copy has this module of cnnlab as it is (widgets: only those that draw nothing)."""
    top = relative.parts[0]
    if top not in _LEFT_OUT:
        return True
    if top == "widgets" and relative.name != "__init__.py":
        return not _imports(path) & {"matplotlib", "ipywidgets", "PIL", "cnnlab"}  # data, such as FILTERS
    return len(relative.parts) == 2 and relative.parts[1] in _KEPT_INSIDE.get(top, ())


def _imports(path: Path) -> set:
    """The top-level packages a module imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def _without(text: str, names: set, module: str) -> str:
    """Module source ``text`` with the functions ``names`` ("*": every top-level one) replaced by stand-ins."""
    tree = ast.parse(text)
    spans = []  # (first line, last line, indentation, qualified name, arguments)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and ("*" in names or node.name in names):
            spans.append(_span(node, "", node.name))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                qualified = f"{node.name}.{item.name}" if isinstance(item, ast.FunctionDef) else None
                if qualified in names:
                    spans.append(_span(item, "    ", qualified))
    lines = text.splitlines()
    for first, last, indent, qualified, method in sorted(spans, reverse=True):
        name = qualified.split(".")[-1]
        stub = [
            f"{indent}def {name}({'self, ' if method else ''}*args, **kwargs):",
            f'{indent}    """Hidden while grading: part of the answer to an exercise being graded."""',
            f'{indent}    return _stand_in("{module}.{qualified}", {"self, " if method else ""}*args, **kwargs)',
        ]
        lines[first - 1 : last] = stub
    return "\n".join(lines) + _HIDDEN_IMPORT


def _span(node, indent: str, qualified: str) -> tuple:
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return first, node.end_lineno, indent, qualified, bool(indent)


def _public_names(path: Path) -> list:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return [ast.literal_eval(element) for element in node.value.elts]
    return []


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Every process a submission started


def become_subreaper() -> bool:
    """Make orphaned descendants of this process its children (Linux), so they can be found and killed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def cpu_seconds() -> float:
    """CPU time used so far by the living descendants of this process (and the children they reaped)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for pid in _descendants(os.getpid()):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def descendants() -> set:
    """The process ids of every descendant of this process (Linux: via /proc; elsewhere none)."""
    return set(_descendants(os.getpid()))


def kill_descendants(spare=frozenset(), rounds: int = 50) -> int:
    """SIGKILL every descendant of this process but ``spare`` (and theirs), and reap them; how many."""
    killed = 0
    for _ in range(rounds):
        found = _descendants(os.getpid(), spare)
        living = [pid for pid, state in found.items() if state != "Z"]
        for pid in living:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        for pid in found:  # collect the exit status of those that are (now) our children
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
        if not living:
            break
        time.sleep(0.02)
    return killed


def _descendants(root: int, spare=frozenset()) -> dict:
    """``{pid: state}`` of the descendants of ``root``, leaving out ``spare`` ones and theirs."""
    processes = {}
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        processes[int(entry.name)] = (int(fields[1]), fields[0])  # parent, state
    found, frontier = {}, {root}
    while frontier:
        children = {pid for pid, (parent, _) in processes.items() if parent in frontier and pid not in spare}
        children -= found.keys()
        found.update((pid, processes[pid][1]) for pid in children)
        frontier = children
    return found
