"""Tiny WAT modules that call WASI imports directly, for precise escape routes: the probe
builder lives in :mod:`wasikernel.escape` (the runtime comparison runs the same routes), and
the host's tests import it from here."""

from wasikernel.escape import (  # noqa: F401
    ALL_RIGHTS,
    BUF,
    BUF_LEN,
    CREAT,
    DIRECTORY,
    EXCL,
    FILESTAT,
    FOLLOW,
    I64,
    OUT,
    SIGNATURES,
    TRUNC,
    errnos,
    errnos_in_order,
    probe,
)
