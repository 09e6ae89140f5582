"""Writing a file the user asked for (a label sheet, a certificate, an export) without ever leaving
half a file behind or replacing one by accident.

The bytes go to a temporary file in the same folder first, then take their name in one step. An
existing file is kept unless the person confirmed replacing it (a save dialog asks), and then the
old one is swapped out atomically, so a full disk never leaves it half-written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from desktop_app.errors import UserFacingError
from desktop_app.i18n import _


def write_file(path: Path, data: bytes, *, replace: bool = False) -> Path:
    """Raises UserFacingError: the file exists (and replace is False), or the folder cannot be written."""
    if path.exists() and not replace:
        raise UserFacingError(_("{path} already exists; choose another name.").format(path=path))
    if not path.parent.is_dir():
        raise UserFacingError(_("The folder {folder} does not exist.").format(folder=path.parent))
    try:
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".part")
    except OSError as exc:
        raise UserFacingError(_("{path} cannot be written: {reason}").format(path=path, reason=exc.strerror)) from exc
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temp, path)
        else:
            os.link(temp, path)  # fails, instead of replacing, if the name was taken meanwhile
    except FileExistsError as exc:
        raise UserFacingError(_("{path} already exists; choose another name.").format(path=path)) from exc
    except OSError as exc:
        raise UserFacingError(_("{path} cannot be written: {reason}").format(path=path, reason=exc.strerror)) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return path
