"""`make package` end to end: the PyInstaller build, the .deb, its installation, the smoke test, removal.

One test, because the build is the expensive part (about 75 s of PyInstaller on two cores, 4 s of
dpkg-deb) and pytest-xdist would otherwise build it once per worker. It runs packaging/build_package.py
exactly as `make package` does, into a temporary folder, then:

- reads the control data and the file list of the .deb;
- unpacks it into a scratch root (`dpkg -x`) and checks the layout, the desktop entry
  (desktop-file-validate) and that Depends covers every system library the bundle links to;
- as root (CI, this machine), installs it for real with `dpkg -i`, runs packaging/smoke_test.py on
  the `makersupport` command found on the PATH as an ordinary user (the installation is read-only
  to them), removes it with `dpkg -r` and checks nothing is left. Not root: the smoke test runs on
  the scratch root's binary instead.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("build_package", ROOT / "packaging" / "build_package.py")
assert _spec is not None and _spec.loader is not None
build_package = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_package)

PACKAGE = "makersupport"
# Qt's GTK platform theme plugin: Qt loads it only on a GTK desktop, where GTK is installed.
OPTIONAL_PLUGINS = ("platformthemes/libqgtk3.so",)

pytestmark = pytest.mark.slow


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _dpkg(*arguments: str) -> None:
    """dpkg, waiting a little if another process (apt on the same machine) holds its lock."""
    for _attempt in range(30):
        result = subprocess.run(["dpkg", *arguments], capture_output=True, text=True)
        if result.returncode == 0:
            return
        if "lock" not in result.stderr:
            break
        time.sleep(2)
    raise AssertionError(f"dpkg {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")


def _installed(package: str) -> bool:
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return "install ok installed" in result.stdout


def _package_names(depends: str) -> set[str]:
    """The package names of a Depends field ("a (>= 1), b | c, d:any" -> a, b, c, d)."""
    names = set()
    for alternative in re.split(r"[,|]", depends):
        name = alternative.strip().split(" ")[0].split(":")[0]
        if name:
            names.add(name)
    return names


def _owner(library: str) -> str:
    """The Debian package that installed a library (its path as ldd printed it, or the real file)."""
    for path in (library, os.path.realpath(library)):
        result = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0].strip()
    raise AssertionError(f"{library}: no Debian package owns it")


def _check_depends_cover_the_bundle(app: Path, depends: str) -> None:
    """Every library a binary of the bundle needs and the bundle does not carry comes from a package
    the .deb depends on (or one of those packages' own dependencies)."""
    internal = app / "_internal"
    binaries = [str(p) for p in build_package._elf_files(app)]
    out = _run(["ldd", *binaries], env={**os.environ, "LD_LIBRARY_PATH": str(internal)}).stdout
    missing, system = [], set()
    current = ""
    for line in out.splitlines():
        if not line.startswith("\t"):
            current = line.rstrip(":")
            continue
        if "not found" in line:
            if not current.endswith(OPTIONAL_PLUGINS):
                missing.append(f"{current}: {line.strip()}")
        elif "=>" in line:
            path = line.split("=>")[1].split("(")[0].strip()
            if path and not path.startswith(str(app)):
                system.add(path)
    assert not missing, "libraries found neither in the bundle nor on this machine:\n" + "\n".join(missing)
    allowed = _package_names(depends)
    for name in list(allowed):
        result = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", name], capture_output=True, text=True)
        allowed |= _package_names(result.stdout)
    owners = {lib: _owner(lib) for lib in sorted(system)}
    uncovered = {lib: owner for lib, owner in owners.items() if owner not in allowed}
    assert not uncovered, f"the bundle needs these system libraries its Depends do not bring: {uncovered}"


def _check_layout(scratch: Path) -> None:
    app = scratch / "opt" / PACKAGE
    assert (app / PACKAGE).is_file() and os.access(app / PACKAGE, os.X_OK)
    # The Spanish catalogue, the migrations Alembic scans, the fonts and icons travel as files.
    internal = app / "_internal"
    assert (internal / "resources" / "i18n" / "es_CO" / "LC_MESSAGES" / "makersupport.mo").is_file()
    assert sorted((internal / "desktop_app" / "persistence" / "migrations" / "versions").glob("0001_*.py"))
    assert (internal / "resources" / "fonts" / "DejaVuSans.ttf").is_file()
    assert (internal / "resources" / "icons" / "app.svg").is_file()
    command = scratch / "usr" / "bin" / PACKAGE
    assert command.is_symlink() and os.readlink(command) == f"/opt/{PACKAGE}/{PACKAGE}"
    icons = scratch / "usr" / "share" / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / f"{PACKAGE}.svg").is_file()
    assert (icons / "256x256" / "apps" / f"{PACKAGE}.png").stat().st_size > 1000
    entry = scratch / "usr" / "share" / "applications" / f"{PACKAGE}.desktop"
    _run(["desktop-file-validate", str(entry)])
    lines = entry.read_text(encoding="utf-8").splitlines()
    for expected in (
        "Type=Application",
        "Name=makeR Soporte",
        "GenericName[es]=Mesa de soporte",
        "Exec=makersupport gui",
        f"Icon={PACKAGE}",
        "Terminal=false",
        "Categories=Office;",
    ):
        assert expected in lines, f"{expected!r} missing from the desktop entry"
    assert any(line.startswith("Comment[es]=") and "máquinas" in line for line in lines)
    assert any(line.startswith("Comment=") for line in lines)


def _smoke(binary: str, as_user: str | None, workdir: Path) -> str:
    """packaging/smoke_test.py on the binary; as_user runs it as that (unprivileged) user."""
    smoke = workdir / "smoke_test.py"
    shutil.copyfile(ROOT / "packaging" / "smoke_test.py", smoke)
    smoke.chmod(0o644)
    command = [sys.executable, str(smoke), binary]
    env = {**os.environ}
    if as_user is not None:
        # The user cannot read the developer's virtualenv; the smoke test needs only the standard library.
        python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
        workdir.chmod(0o755)
        env["HOME"] = tempfile.gettempdir()
        command = ["runuser", "-u", as_user, "--", python, str(smoke), binary]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir(), timeout=900)
    assert result.returncode == 0, f"smoke test failed on {binary}:\n{result.stdout}\n{result.stderr}"
    assert result.stdout.count("ok: ") == 6, result.stdout
    return result.stdout


def _can_run_as(user: str) -> bool:
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    probe = subprocess.run(["runuser", "-u", user, "--", python, "-c", "pass"], capture_output=True)
    return probe.returncode == 0


def test_make_package_deb_installs_passes_the_smoke_test_and_removes_cleanly() -> None:
    version = build_package.version()
    with tempfile.TemporaryDirectory(prefix="makersupport-package-") as folder:
        work = Path(folder)
        started = time.monotonic()
        _run([sys.executable, str(ROOT / "packaging" / "build_package.py"), "--dist", str(work / "dist"),
              "--work", str(work / "build")], cwd=ROOT, timeout=900)  # fmt: skip
        built = time.monotonic() - started
        arch = _run(["dpkg", "--print-architecture"]).stdout.strip()
        deb = work / "dist" / f"{PACKAGE}_{version}_{arch}.deb"
        assert deb.is_file(), f"no {deb.name} in {sorted(p.name for p in (work / 'dist').iterdir())}"
        shutil.rmtree(work / "dist" / PACKAGE)  # the .deb carries it; keep the disk for the installs

        def field(name: str) -> str:
            return _run(["dpkg-deb", "-f", str(deb), name]).stdout.strip()

        assert field("Package") == PACKAGE
        assert field("Version") == version
        assert field("Architecture") == arch
        assert field("Maintainer").startswith("3D makeR Technologies SAS")
        depends = field("Depends")
        for needed in ("libc6 (>= 2.", "libgl1", "libegl1", "fontconfig"):
            assert needed in depends, f"{needed!r} not in Depends: {depends}"
        assert int(field("Installed-Size")) > 100_000  # KiB: the whole one-folder app is in it

        scratch = work / "root"
        _run(["dpkg", "-x", str(deb), str(scratch)])
        _check_layout(scratch)
        _check_depends_cover_the_bundle(scratch / "opt" / PACKAGE, depends)

        real_install = os.geteuid() == 0 and not _installed(PACKAGE)
        if not real_install:
            # No root (or a desk's own installation already there, which the test must not remove).
            _smoke(str(scratch / "opt" / PACKAGE / PACKAGE), None, work)
            return
        shutil.rmtree(scratch)
        try:
            _dpkg("-i", str(deb))
            assert _installed(PACKAGE)
            on_path = shutil.which(PACKAGE, path="/usr/local/bin:/usr/bin:/bin")
            assert on_path == f"/usr/bin/{PACKAGE}"
            assert Path(f"/usr/share/applications/{PACKAGE}.desktop").is_file()
            _smoke(on_path, "nobody" if _can_run_as("nobody") else None, work)
        finally:
            if _installed(PACKAGE):
                _dpkg("-r", PACKAGE)
        assert not _installed(PACKAGE)
        for leftover in (f"/opt/{PACKAGE}", f"/usr/bin/{PACKAGE}", f"/usr/share/applications/{PACKAGE}.desktop"):
            assert not os.path.lexists(leftover), f"{leftover} left behind by dpkg -r"
        print(f"build (PyInstaller + .deb): {built:.0f} s")
