#!/usr/bin/env bash
# Prepares a Debian machine with Node 20 for dealkit: Debian's Jupyter packages (the notebook runner and the kernel
# host), Debian's classic Notebook front end (`jupyter notebook`, as the README uses it) and chromium (browser checks
# and screenshots) and redis-server (the queue's tests start a private one), only when missing, then `npm ci` when node_modules is missing
# or older than package-lock.json. Safe to run again: it does nothing when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${DEALKIT_PYTHON:-/usr/bin/python3}
JUPYTER_PACKAGES=(jupyter-core python3-nbclient jupyter-nbconvert python3-jupyter-client jupyter-client
  python3-jupyter-kernel-test)

missing=()
# Jupyter counts as present when Debian's python3 imports it (however it was installed); else the packages missing.
if ! "$PY" -c "import nbclient, nbconvert, nbformat, jupyter_client" >/dev/null 2>&1; then
  for pkg in "${JUPYTER_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -gt 0 ] || missing=(python3-nbclient jupyter-nbconvert python3-jupyter-client)
fi
# The README's `jupyter notebook notebooks/`: Debian's jupyter-notebook (the classic Notebook 6 front end).
if ! "$PY" -c "import notebook.notebookapp" >/dev/null 2>&1; then
  missing+=(jupyter-notebook)
fi
if ! command -v chromium >/dev/null 2>&1 && ! dpkg -s chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi

# The queue (src/queue, `dealkit worker`): Debian's redis-server 7; its tests start a private one.
if ! command -v redis-server >/dev/null 2>&1; then
  missing+=(redis-server)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q </dev/null
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
  echo "setup: Debian's Jupyter, its Notebook front end, chromium and redis-server are present"
fi

if ! command -v node >/dev/null 2>&1; then
  echo "setup: Node.js 20 or newer is required (node is not on PATH)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found $(node --version))" >&2
  exit 1
fi

# npm ci when node_modules is missing or older than the lock file (npm writes node_modules/.package-lock.json).
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund </dev/null
else
  echo "setup: node_modules is up to date"
  # npm ci runs the prepare script (link node_modules/dealkit, build dist/); redo it when either is missing.
  if [ ! -e node_modules/dealkit ] || [ ! -f dist/index.js ]; then node scripts/prepare.cjs; fi
fi
