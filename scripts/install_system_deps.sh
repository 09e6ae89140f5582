#!/usr/bin/env bash
# Installs the Debian packages makeR Soporte needs, only those missing. Idempotent; safe to rerun.
#   usage: scripts/install_system_deps.sh [run|test|package]
# "run" adds what a real window needs (Qt's xcb platform); "test" adds Xvfb for screenshots,
# poppler for PDF checks and the PostgreSQL server the team-database tests start on their own port.
set -euo pipefail

mode="${1:-test}"

# Any PySide6 import (even offscreen), pyzbar's native library, fonts with Spanish accents.
packages=(libglib2.0-0 libgl1 libegl1 libfontconfig1 libxkbcommon0 libdbus-1-3 fonts-dejavu-core libzbar0)
# A real window on X11 (Qt's xcb platform plugin).
packages+=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
           libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libx11-xcb1)
if [ "$mode" = "test" ]; then
  packages+=(xvfb xauth poppler-utils postgresql)
  # The mail tests' IMAP server (tests/mail_lab.py starts its own Dovecot in a temporary folder).
  packages+=(dovecot-core dovecot-imapd)
  # The web export's pages are tested in a real headless browser (tests/web, Selenium), and its
  # rewrite rules in the servers a web host runs (tests/web/test_web_servers.py starts its own).
  packages+=(chromium chromium-driver nginx-light apache2)
fi
# Building the .deb (make package, and tests/packaging, which builds and installs it): PyInstaller
# reads binaries with objdump, desktop-file-validate checks the desktop entry, and dpkg -i needs the
# package's Depends that the lists above lack (Qt's Wayland plugin's libraries).
if [ "$mode" = "test" ] || [ "$mode" = "package" ]; then
  packages+=(binutils desktop-file-utils libwayland-cursor0 libwayland-egl1)
fi
# python3 -m venv needs ensurepip, which Debian ships separately.
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  packages+=(python3-venv)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "System packages: all present."
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "These Debian packages are missing and you are not root (and sudo is not installed):" >&2
    echo "  ${missing[*]}" >&2
    exit 1
  fi
fi
echo "Installing missing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Some packages (dovecot, postgresql) start a system service in their post-install: the suite starts
# its own servers, so a policy-rc.d that answers 101 ("action forbidden") keeps the system ones off
# while we install. Only a policy-rc.d we created is removed afterwards.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
