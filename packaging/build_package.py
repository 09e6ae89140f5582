"""Build the desk's Linux installer: the PyInstaller one-folder app, then a .deb around it.

    python packaging/build_package.py [--dist dist] [--work build/package] [--bundle DIR] [--compression zstd]

`make package` runs it from the repository root (after compiling the Spanish catalogue). The .deb
installs the app under /opt/makersupport/, the `makersupport` command as /usr/bin/makersupport, a
desktop entry and the icon; `sudo apt install ./makersupport_X.Y.Z_amd64.deb` also installs the
Debian libraries the frozen app does not carry (DEPENDS below; tests/packaging checks it against
what the bundle really links to).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "makersupport"
INSTALL_DIR = Path("opt") / PACKAGE
MAINTAINER = "3D makeR Technologies SAS <soporte@somosmaker.com>"
HOMEPAGE = "https://somosmaker.com/soporte"
APP_ICON = ROOT / "resources" / "icons" / "app.svg"

# What the bundle links to but PyInstaller deliberately leaves to the system (the C library and the
# graphics stack, which must match the machine's drivers), the Wayland libraries Qt's Wayland
# platform plugin loads, and fonts for the window (Qt finds them through fontconfig's configuration).
# libc6's minimum is measured on the bundle at build time (the newest GLIBC_ symbol version in it).
DEPENDS = [
    "libgl1",
    "libegl1",
    "libdrm2",
    "libxcb1",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "fontconfig",
    "fonts-dejavu-core",
]

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Version=1.4
Name=makeR Soporte
Name[es]=makeR Soporte
GenericName=Support desk
GenericName[es]=Mesa de soporte
Comment=Tickets, machines and support contracts of 3D makeR's customers
Comment[es]=Tickets, máquinas y contratos de soporte de los clientes de 3D makeR
Keywords=support;tickets;3D printers;contracts;certificates;
Keywords[es]=soporte;tickets;impresoras 3D;contratos;certificados;
Exec=makersupport gui
TryExec=makersupport
Icon=makersupport
Terminal=false
StartupNotify=true
StartupWMClass=makersupport
Categories=Office;
"""

DESCRIPTION = """\
makeR Soporte: the support desk of 3D makeR Technologies SAS
 Tickets, machines and plan contracts of 3D makeR's customers, with the
 support policy's response times in Colombian working time, escalation,
 QR labels and signed certificates. Spanish (Colombia) first, English second.
 .
 The program is a self-contained PyInstaller build installed under
 /opt/makersupport; the makersupport command opens the desk."""

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: makeR Soporte
Upstream-Contact: 3D makeR Technologies SAS

Files: *
Copyright: 3D makeR Technologies SAS
License: proprietary
 All rights reserved. The bundled third-party libraries keep their own licences;
 the DejaVu fonts' licence is in /opt/makersupport/_internal/resources/fonts/.
"""

# Sizes of the PNG icons beside the SVG: some panels and menus still ask for a fixed-size PNG.
ICON_SIZES = (48, 128, 256)


def version() -> str:
    """desktop_app.__version__, read from the source so building needs no import of the app."""
    text = (ROOT / "desktop_app" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if found is None:
        raise SystemExit("desktop_app/__init__.py has no __version__")
    return found.group(1)


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True, text=True).stdout.strip()


def build_bundle(dist: Path, work: Path) -> Path:
    """PyInstaller one-folder build of packaging/desktop_app.spec into dist/makersupport."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "packaging" / "desktop_app.spec"),
        ],
        check=True,
        cwd=ROOT,
    )
    return dist / PACKAGE


def _elf_files(bundle: Path) -> list[Path]:
    found = []
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def glibc_needed(bundle: Path) -> str:
    """The newest GLIBC_x.y symbol version any binary of the bundle asks for: libc6's minimum."""
    versions: set[tuple[int, ...]] = set()
    for path in _elf_files(bundle):
        result = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True)
        found = re.findall(r"GLIBC_(\d+(?:\.\d+)+)", result.stdout)
        versions.update(tuple(int(part) for part in name.split(".")) for name in found)
    if not versions:
        raise SystemExit(f"no GLIBC symbol versions found in {bundle}: is objdump (binutils) installed?")
    return ".".join(str(p) for p in max(versions))


def _copy_tree(source: Path, target: Path) -> None:
    """Hard links when the staging folder is on the same disk (a 470 MB bundle), copies otherwise."""

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, symlinks=True, copy_function=link_or_copy)


def _normalise_modes(folder: Path) -> None:
    """Folders 755, files 755 when executable and 644 otherwise, whatever the builder's umask."""
    for path in [folder, *folder.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)


def render_icon(size: int, target: Path) -> Path:
    """resources/icons/app.svg drawn by Qt as a size x size PNG (the spec turns it into .ico/.icns)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # painting on a QImage needs one
    renderer = QSvgRenderer(str(APP_ICON))
    if not renderer.isValid():
        raise SystemExit(f"{APP_ICON} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target)):
        raise SystemExit(f"could not write {target}")
    return target


def _write_icons(stage: Path) -> None:
    """The app's SVG icon as the hicolor theme's scalable icon, plus PNGs drawn from it."""
    icons = stage / "usr" / "share" / "icons" / "hicolor"
    scalable = icons / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copyfile(APP_ICON, scalable / f"{PACKAGE}.svg")
    for size in ICON_SIZES:
        render_icon(size, icons / f"{size}x{size}" / "apps" / f"{PACKAGE}.png")


def _installed_size_kib(stage: Path) -> int:
    total = sum(p.lstat().st_size for p in stage.rglob("*") if p.is_file() or p.is_symlink())
    return (total + 1023) // 1024


def build_deb(bundle: Path, dist: Path, work: Path, compression: str = "zstd") -> Path:
    """Stage the filesystem tree and build dist/makersupport_<version>_<arch>.deb with dpkg-deb."""
    if not (bundle / PACKAGE).is_file():
        raise SystemExit(f"{bundle} has no {PACKAGE} program: build the bundle first")
    release, arch = version(), architecture()
    stage = work / "deb-root"
    if stage.exists():
        shutil.rmtree(stage)
    _copy_tree(bundle, stage / INSTALL_DIR)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / PACKAGE).symlink_to(Path("/") / INSTALL_DIR / PACKAGE)
    applications = stage / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    (applications / f"{PACKAGE}.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    _write_icons(stage)
    docs = stage / "usr" / "share" / "doc" / PACKAGE
    docs.mkdir(parents=True)
    (docs / "copyright").write_text(COPYRIGHT, encoding="utf-8")
    control_dir = stage / "DEBIAN"
    control_dir.mkdir()
    depends = ", ".join([f"libc6 (>= {glibc_needed(bundle)})", *DEPENDS])
    control = (
        f"Package: {PACKAGE}\n"
        f"Version: {release}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {_installed_size_kib(stage)}\n"
        f"Depends: {depends}\n"
        "Section: misc\n"
        "Priority: optional\n"
        f"Homepage: {HOMEPAGE}\n"
        f"Description: {DESCRIPTION}\n"
    )
    (control_dir / "control").write_text(control, encoding="utf-8")
    _normalise_modes(stage)
    target = dist / f"{PACKAGE}_{release}_{arch}.deb"
    dist.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(stage), str(target)],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(stage)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle and the .deb go")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "package", help="PyInstaller's and dpkg's work")
    parser.add_argument("--bundle", type=Path, help="an existing one-folder build: only make the .deb")
    # Measured on the 470 MB bundle, two cores: zstd 4 s (184 MB), gzip 78 s (192 MB), xz 369 s (138 MB).
    # dpkg reads zstd since Debian 12 and Ubuntu 21.10, older than the glibc the bundle needs anyway.
    parser.add_argument("--compression", default="zstd", choices=["zstd", "xz", "gzip", "none"])
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    started = time.monotonic()
    bundle = args.bundle.resolve() if args.bundle else build_bundle(dist, work)
    built = time.monotonic()
    deb = build_deb(bundle, dist, work, args.compression)
    done = time.monotonic()
    print(f"bundle: {bundle} ({built - started:.0f} s)")
    print(f"package: {deb} ({deb.stat().st_size / 1e6:.0f} MB, {done - built:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
