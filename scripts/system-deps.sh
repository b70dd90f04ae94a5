#!/usr/bin/env bash
# Install the Debian packages the application needs; without root, print the command and go on.
set -u
missing=()
for pkg in "$@"; do
  # A command of the same name counts too: Node.js from another source ships its own npm.
  command -v "$pkg" >/dev/null 2>&1 && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "安装系统软件包: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "系统软件包安装失败: ${missing[*]}"; exit 1; }
else
  echo "缺少系统软件包，请以 root 运行: sudo apt-get install -y ${missing[*]}"
fi
