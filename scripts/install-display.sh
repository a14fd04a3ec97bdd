#!/usr/bin/env bash
# What the real-display GUI test needs on Linux, and what Qt's xcb platform plugin needs on a
# minimal install: Xvfb, the trayer tray host, xdotool, and the xcb libraries. Installs the
# missing ones with apt-get when run as root on Debian/Ubuntu; otherwise says what to install
# (the test then skips instead of failing).
set -euo pipefail
packages=(xvfb trayer xdotool x11-xserver-utils libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
          libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0
          libxcb-randr0)
[ "$(uname -s)" = Linux ] || exit 0
command -v dpkg-query >/dev/null || { echo "install-display: not a Debian system; the real-display test needs: ${packages[*]}"; exit 0; }
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "install-display: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"
    exit 0
fi
echo "install-display: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
