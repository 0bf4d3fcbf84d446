#!/usr/bin/env bash
# run.sh DB EVAL_FILE [--only ...]: the recall lab (lab.py) in its own virtualenv (.build/recall-venv:
# numpy, scipy, safetensors, tokenizers at pinned versions). DB is a database that
# `memoryhub eval EVAL_FILE --keep DB` loaded and embedded.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${MEMORYHUB_RECALL_VENV:-$PWD/.build/recall-venv}"
packages=(numpy==2.4.6 scipy==1.17.1 safetensors==0.8.0 tokenizers==0.23.3)
if ! "$venv/bin/python" -c "import numpy, scipy, safetensors, tokenizers" 2>/dev/null; then
  echo "Installing ${packages[*]} into $venv" >&2
  python3 -m venv "$venv" >&2 || { scripts/install-packages.sh python3-venv >&2; rm -rf "$venv"; python3 -m venv "$venv" >&2; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}" >&2
fi
exec "$venv/bin/python" scripts/recall-lab/lab.py "$@"
