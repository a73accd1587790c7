"""A grading run's results as they come, so that nothing finished is ever lost.

``cnnlab grade ... --out grades.csv`` keeps ``grades.csv.journal`` while it runs: one JSON
line per finished submission (its file's SHA-256 and its rows), written and flushed to
disk as each one finishes. Interrupted (Ctrl-C, SIGTERM, a closed terminal, a crash), the
run leaves the journal behind; ``--resume`` then grades only the submissions it does not
hold (or whose file changed since), and ``--restart`` starts over. A run that finishes
writes the CSV and removes its journal.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cnnlab.instructor import results

__all__ = ["Journal"]


class Journal:
    """The journal of the run that writes ``out``."""

    def __init__(self, out):
        out = Path(out)
        self.path = out.with_name(out.name + ".journal")

    def exists(self) -> bool:
        return self.path.exists()

    def start(self, sources) -> None:
        """Begin a new journal (replacing an old one) for a run on ``sources``."""
        header = {"cnnlab grade journal": 1, "sources": results.signature(sources)}
        self.path.write_text(json.dumps(header) + "\n", encoding="utf-8")

    def resume(self, entries, sources) -> list:
        """Fill in the rows of the ``entries`` the journal holds (same file, same bytes); those entries.

        Raises ValueError if the journal is unreadable or was made with other sources.
        """
        lines = self.path.read_text(encoding="utf-8").splitlines()
        try:
            header = json.loads(lines[0])
        except (IndexError, ValueError):
            raise ValueError(f"{self.path} is not a cnnlab grade journal; use --restart") from None
        if not isinstance(header, dict) or "cnnlab grade journal" not in header:
            raise ValueError(f"{self.path} is not a cnnlab grade journal; use --restart")
        if header.get("sources") != results.signature(sources):
            raise ValueError(f"{self.path} was made with other --source notebooks (or they changed); use --restart")
        kept = {}
        for line in lines[1:]:
            try:
                earlier = results.entry(json.loads(line))
                kept[(earlier.label, earlier.sha256)] = earlier
            except ValueError:
                continue  # a line cut short when the run was killed: that submission is graded again
        resumed = []
        for entry in entries:
            earlier = kept.get((entry.label, entry.sha256))
            if earlier is not None:
                entry.rows = earlier.rows
                resumed.append(entry)
        return resumed

    def add(self, entry) -> None:
        """Append one finished submission, flushed to disk before returning."""
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(results.record(entry)) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
