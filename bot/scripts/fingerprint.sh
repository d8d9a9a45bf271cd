#!/usr/bin/env bash
# Hash of everything the trained model depends on.
set -euo pipefail
cd "$(dirname "$0")/.."
{ cat requirements.txt config.yml domain.yml; find data components -type f \( -name '*.yml' -o -name '*.py' \) | sort | xargs cat; } | sha256sum | cut -d' ' -f1
