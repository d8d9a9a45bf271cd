#!/usr/bin/env bash
# Vendor the Firebase web SDK (app + messaging, the browser ES modules of the npm package
# `firebase`) into backend/static/vendor/firebase/: the household page loads it from the app
# itself, never from a CDN. The package's modules import firebase-app from gstatic.com; that
# import is rewritten to the file beside it. Rerun after changing FIREBASE_VERSION and commit
# the result.
#
#   bash scripts/vendor_firebase.sh
set -euo pipefail
FIREBASE_VERSION=13.2.0
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$ROOT/.tools/node"    # git-ignored
OUT="$ROOT/backend/static/vendor/firebase"

npm install --prefix "$TOOLS" --no-audit --no-fund --silent "firebase@$FIREBASE_VERSION"
PKG="$TOOLS/node_modules/firebase"
installed="$(node -p "require('$PKG/package.json').version")"
[ "$installed" = "$FIREBASE_VERSION" ] || { echo "got firebase $installed, wanted $FIREBASE_VERSION" >&2; exit 1; }

mkdir -p "$OUT"
cp "$PKG/firebase-app.js" "$OUT/firebase-app.js"
sed "s#https://www.gstatic.com/firebasejs/$FIREBASE_VERSION/firebase-app.js#./firebase-app.js#g" \
  "$PKG/firebase-messaging.js" > "$OUT/firebase-messaging.js"
for file in "$OUT"/*.js; do
  sed -i '/^\/\/# sourceMappingURL=/d' "$file"   # the maps are not vendored
  # (the app's registered name still reads gstatic.com/…; only an import would load from there)
  if grep -Eq "(from|import)[ (]*[\"']https?://" "$file"; then echo "$file imports from a CDN" >&2; exit 1; fi
  if ! grep -q '@license' "$file"; then   # the minified messaging module carries none
    { printf '/**\n * @license\n * Copyright Google LLC\n * SPDX-License-Identifier: Apache-2.0\n'
      printf ' * Firebase JavaScript SDK %s, npm package "firebase", file %s\n */\n' \
        "$FIREBASE_VERSION" "$(basename "$file")"
      cat "$file"; } > "$file.tmp" && mv "$file.tmp" "$file"
  fi
done
cat > "$OUT/VERSION" <<NOTE
firebase $FIREBASE_VERSION (npm package "firebase", Apache-2.0; each file keeps its @license headers)
firebase-app.js: firebase/firebase-app.js
firebase-messaging.js: firebase/firebase-messaging.js, its import of firebase-app rewritten to ./firebase-app.js
Regenerate: bash scripts/vendor_firebase.sh
NOTE
ls -l "$OUT"
