# Shared by the scripts: find or install uv, the project's one environment tool.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p var
if [ -n "${UV:-}" ] && [ -x "$UV" ]; then
  : # a script that called this one found uv already
elif command -v uv >/dev/null 2>&1; then
  UV="$(command -v uv)"
else
  # A fresh machine has only Python: install uv into a private virtualenv.
  if [ ! -x var/tools/bin/uv ]; then
    echo "Installing uv into var/tools ..." >&2
    python3 -m venv var/tools
    var/tools/bin/python -m pip install --quiet --disable-pip-version-check uv
  fi
  UV="$ROOT/var/tools/bin/uv"
fi
# Trust the operating system's certificates (proxies and private mirrors
# often need them) rather than only the roots built into uv.
export UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-1}"
export UV
