#!/usr/bin/env bash
# Refreshes the NHS.UK frontend files embedded in internal/web/static/nhsuk
# from the npm package nhsuk-frontend (run through `make assets`).
#
# The package's prebuilt CSS loads the Frutiger font from assets.nhs.uk. ccg
# serves nothing from other hosts (its Content-Security-Policy is
# default-src 'self'), and the font is licensed to NHS.UK, so the CSS is
# rebuilt from the package's Sass with $nhsuk-include-font-face: false: pages
# use the frontend's own fallback, Arial. Everything is built in a temporary
# folder, so `go build` never needs npm.
#
# Usage: internal/web/assets.sh NHSUK_FRONTEND_VERSION SASS_VERSION
set -euo pipefail

version=${1:?usage: assets.sh NHSUK_FRONTEND_VERSION SASS_VERSION}
sass_version=${2:?usage: assets.sh NHSUK_FRONTEND_VERSION SASS_VERSION}
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/static/nhsuk"

command -v npm >/dev/null || { echo "assets: npm is needed (apt-get install npm)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
	"nhsuk-frontend@$version" "sass@$sass_version" >/dev/null
pkg=node_modules/nhsuk-frontend
dist=$pkg/dist/nhsuk

cat >entry.scss <<'SCSS'
@forward "nhsuk-frontend/dist/nhsuk" with ($nhsuk-include-font-face: false);
SCSS
npx --no-install sass --style=compressed --no-source-map --quiet --load-path=node_modules \
	entry.scss nhsuk-frontend.min.css

if grep -q 'https\?://' nhsuk-frontend.min.css; then
	echo "assets: the built CSS still refers to another host:" >&2
	grep -o 'url([^)]*)' nhsuk-frontend.min.css | sort -u >&2
	exit 1
fi

rm -rf "$dest"
mkdir -p "$dest/images"
cp nhsuk-frontend.min.css "$dest/"
# Drop the source-map comment: the map is not shipped.
sed -e 's|//# sourceMappingURL=.*$||' "$dist/nhsuk-frontend.min.js" >"$dest/nhsuk-frontend.min.js"
for f in favicon.ico favicon.svg nhsuk-icon-180.png nhsuk-icon-mask.svg; do
	cp "$dist/assets/images/$f" "$dest/images/"
done

if [ -f "$pkg/LICENSE" ]; then
	cp "$pkg/LICENSE" "$dest/LICENCE"
else
	# The npm package names its licence ("MIT") but does not ship the file;
	# this is the LICENSE of the nhsuk/nhsuk-frontend repository.
	cat >"$dest/LICENCE" <<'EOF'
MIT License

Copyright (c) 2019 NHS.UK

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF
fi

cat >"$dest/VERSION" <<EOF
nhsuk-frontend $version (npm), CSS rebuilt with sass $sass_version and \$nhsuk-include-font-face: false.
Refresh with: make assets NHSUK_FRONTEND_VERSION=x.y.z
EOF
echo "assets: nhsuk-frontend $version copied to ${dest#"$PWD"/}"
