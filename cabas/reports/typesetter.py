"""Typst compilation in a forked child process, one per print.

Typst memoizes what it lays out, for the next compilation, and keeps it in
the process that compiled (measured: some 100 MB more after each big print,
up to about 450 MB, never given back). Each print is therefore compiled in a
child forked for it, which ends with it: the app's process keeps its memory,
and a cycle's documents never hold more than one print's layout at a time.
The child only compiles the source it is given and writes the PDF to a pipe
(no database, no Django): forking a process that has not run Typst is safe.
"""

from __future__ import annotations

import os

# Imported here, never in the child: a fork in a threaded server must not take the import lock.
import typst


class TypesettingError(RuntimeError):
    """Typst refused the source (a bug in a layout: the data cannot cause it)."""


def _child(source: bytes, root: str, write: int) -> None:
    try:
        # Untagged, as the HTML print path made them: tags double the objects pypdf joins.
        pdf = typst.Compiler(root=root).compile(input=source, format="pdf", pdf_tags=False)
        assert isinstance(pdf, bytes)  # one file, since no output path is given
        payload = b"\0" + pdf
    except BaseException as exc:  # everything goes back to the parent
        payload = b"\1" + f"{type(exc).__name__}: {exc}".encode(errors="replace")
    with os.fdopen(write, "wb") as out:
        out.write(payload)


def compile_pdf(source: bytes, root: str) -> bytes:
    """``source`` (a whole Typst document, files under ``root``) to PDF bytes, in a child process."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compile, answer, end without running the parent's exit handlers
        os.close(read)
        try:
            _child(source, root, write)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        payload = answer.read()
    os.waitpid(pid, 0)
    if not payload.startswith(b"\0"):
        raise TypesettingError(payload[1:].decode(errors="replace") or "the typesetter ended without a PDF")
    return payload[1:]
