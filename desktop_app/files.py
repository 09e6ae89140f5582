"""Writing a file the user asked for (a label sheet, a certificate, an export) without ever leaving
half a file behind or replacing one by accident.

The bytes go to a temporary file in the same folder first, then take their name in one step. An
existing file is kept unless the person confirmed replacing it (a save dialog asks), and then the
old one is swapped out atomically, so a full disk never leaves it half-written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from desktop_app.errors import UserFacingError
from desktop_app.i18n import _


def check_target(path: Path, *, replace: bool = False) -> None:
    """Refuse, before any work is done, a file that cannot be created at `path`.

    Raises UserFacingError naming the path: it exists (and replace is False), its name is longer
    than the system allows, its folder is missing or not a folder, or the folder is not writable.
    """
    if "\x00" in str(path):  # no file system takes it; Python would raise ValueError later
        raise UserFacingError(
            _("{path} cannot be written: {reason}").format(
                path=str(path).replace("\x00", "\\0"), reason=_("a file name cannot contain a NUL character")
            )
        )
    try:
        exists = path.exists()
        folder_ok = path.parent.is_dir()
        if len(path.name.encode(errors="surrogateescape")) > _name_max(path.parent if folder_ok else Path(".")):
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))
    except (OSError, ValueError) as exc:  # a name too long, a NUL: the system refuses to look it up
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UserFacingError(_("{path} cannot be written: {reason}").format(path=path, reason=reason)) from exc
    if exists and not replace:
        raise UserFacingError(_("{path} already exists; choose another name.").format(path=path))
    if not folder_ok:
        if _is_something(path.parent):
            raise UserFacingError(
                _("{path} cannot be written: {folder} is a file, not a folder.").format(path=path, folder=path.parent)
            )
        raise UserFacingError(_("The folder {folder} does not exist.").format(folder=path.parent))
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise UserFacingError(
            _("{path} cannot be written: the folder {folder} is not writable.").format(path=path, folder=path.parent)
        )


def _is_something(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _name_max(folder: Path) -> int:
    """The longest file name the folder's file system takes (255 on most)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # Windows has no pathconf
        return 255


def write_file(path: Path, data: bytes, *, replace: bool = False) -> Path:
    """Raises UserFacingError: the file exists (and replace is False), or the folder cannot be written."""
    check_target(path, replace=replace)
    try:
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:100]}-", suffix=".part")
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


@contextlib.contextmanager
def staged_file(path: Path, data: bytes) -> Iterator[Callable[[], Path]]:
    """Write `data` to a temporary file beside `path` and yield `publish`, which gives it its name.

    For a file that must exist exactly when a record does: write here, record, publish, commit. If
    the block fails after publishing, the published file is removed again; the temporary file is
    removed in every case. An existing file is never replaced.

    Raises UserFacingError: the file cannot be created (see check_target), or the name was taken.
    """
    check_target(path)
    try:
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:100]}-", suffix=".part")
    except OSError as exc:
        raise UserFacingError(_("{path} cannot be written: {reason}").format(path=path, reason=exc.strerror)) from exc
    temp = Path(temp_name)
    published = False

    def publish() -> Path:
        nonlocal published
        try:
            os.link(temp, path)  # fails, instead of replacing, if the name was taken meanwhile
        except FileExistsError as exc:
            raise UserFacingError(_("{path} already exists; choose another name.").format(path=path)) from exc
        except OSError as exc:
            raise UserFacingError(
                _("{path} cannot be written: {reason}").format(path=path, reason=exc.strerror)
            ) from exc
        published = True
        return path

    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise UserFacingError(
                _("{path} cannot be written: {reason}").format(path=path, reason=exc.strerror)
            ) from exc
        try:
            yield publish
        except BaseException:
            if published:
                path.unlink(missing_ok=True)
            raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
