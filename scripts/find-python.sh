#!/usr/bin/env sh
# Print the path of a Python >= 3.12 interpreter (Mesa 3.5 needs it), or explain what to install.
ok() { "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for c in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 python; do
  [ -n "$c" ] || continue
  if ok "$c"; then command -v "$c" 2>/dev/null || echo "$c"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for p in "$root"/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /opt/python*/bin/python3; do
  if [ -x "$p" ] && ok "$p"; then echo "$p"; exit 0; fi
done
echo "mentorsim needs Python 3.12 or newer (Mesa 3.5 requires it) and found none." >&2
echo "Install one (e.g. 'apt-get install python3.12 python3.12-venv', 'pyenv install 3.12', or python.org)," >&2
echo "or point PYTHON=/path/to/python3.12 at it: make PYTHON=/path/to/python3.12 test" >&2
exit 1
