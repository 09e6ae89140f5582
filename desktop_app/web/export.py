"""Writing the support pages into a folder (`makersupport web export --out DIR`) all at once or not at all.

DIR receives `soporte/` (what is uploaded to the web host's root), `nginx-soporte.conf` and
`apache-soporte.conf` (for the web server's configuration). The new folder is written in full beside
the old one and takes its place by renaming, so a full disk or an error leaves the earlier export as
it was and no half site.
An earlier export is replaced only when asked (--force); a `soporte` folder or snippet this program
did not write is never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.web.site import GENERATOR, MARKER, SITE_FOLDER, SiteFiles


@dataclass(frozen=True)
class ExportedSite:
    folder: Path  # DIR/soporte
    servers: tuple[Path, ...]  # DIR/nginx-soporte.conf, DIR/apache-soporte.conf
    files: int
    replaced: bool  # an earlier export was replaced


def is_earlier_export(folder: Path) -> bool:
    """Whether `folder` (DIR/soporte) is a site this program wrote."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("generador") == GENERATOR


def write_site(files: SiteFiles, out: Path, *, force: bool = False) -> ExportedSite:
    """Write the site into `out`.

    Raises:
        UserFacingError: `out` is a file; it holds a `soporte` folder or server snippet this program
            did not write; it holds an earlier export and `force` is False; or the disk refused (the
            earlier export, if any, is left as it was).
    """
    site = out / SITE_FOLDER
    servers = tuple(out / name for name in files.servers)
    _check(out, site, servers, force=force)
    earlier = site.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".soporte-nuevo-", dir=out))
    except OSError as exc:
        raise _refused(out, exc) from exc
    retired: Path | None = None
    try:
        for relative, data in files.site.items():
            _write(staging / relative, data)
        staging.chmod(0o755)  # mkdtemp makes it private; the web server must read it
        if earlier:
            retired = Path(tempfile.mkdtemp(prefix=".soporte-anterior-", dir=out)) / SITE_FOLDER
            os.rename(site, retired)
        swapped = False
        try:
            os.rename(staging, site)
            swapped = True
            for path in servers:
                _write(path, files.servers[path.name])
        except OSError:
            if swapped:
                os.rename(site, staging)
            if retired is not None:  # the earlier export goes back whole
                os.rename(retired, site)
                shutil.rmtree(retired.parent, ignore_errors=True)
                retired = None
            raise
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _refused(out, exc) from exc
    if retired is not None:
        shutil.rmtree(retired.parent, ignore_errors=True)
    return ExportedSite(site, servers, len(files.site) + len(servers), earlier)


def _check(out: Path, site: Path, servers: tuple[Path, ...], *, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UserFacingError(_("{path} is a file, not a folder.").format(path=out))
    if site.exists() or site.is_symlink():
        if not site.is_dir() or site.is_symlink() or not is_earlier_export(site):
            raise UserFacingError(
                _(
                    "{path} exists and was not written by “makersupport web export”; nothing was written. "
                    "Choose another folder."
                ).format(path=site)
            )
        if not force:
            raise UserFacingError(
                _("{path} already holds an earlier export; add --force to replace it.").format(path=out)
            )
        return
    for path in servers:
        if path.exists() or path.is_symlink():
            raise UserFacingError(
                _(
                    "{path} exists and was not written by “makersupport web export”; nothing was written. "
                    "Choose another folder."
                ).format(path=path)
            )


def _write(path: Path, data: bytes) -> None:
    """One file, whole: written under a temporary name, flushed to disk, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _refused(out: Path, exc: OSError) -> UserFacingError:
    reason = exc.strerror or str(exc)
    return UserFacingError(
        _("The site could not be written in {path}: {reason}. Nothing was changed.").format(path=out, reason=reason)
    )
