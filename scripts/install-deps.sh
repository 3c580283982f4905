#!/usr/bin/env bash
# Installs the Debian packages the tests and the local deployment need, when they are missing.
# An argument npm:<package>@<version> installs that npm package (pinned) into
# ${ZUUL_NPM_CACHE:-~/.cache/orleans-zuul/npm}/<package>@<version>/node_modules, once (after the Debian packages).
set -euo pipefail
needed=()
npm_packages=()
for pkg in "$@"; do
  case $pkg in
    npm:*) npm_packages+=("${pkg#npm:}") ;;
    # Node from elsewhere (e.g. NodeSource's nodejs, which bundles npm and conflicts with Debian's npm) counts.
    nodejs) command -v node >/dev/null 2>&1 || dpkg -s nodejs >/dev/null 2>&1 || needed+=(nodejs) ;;
    npm) command -v npm >/dev/null 2>&1 || dpkg -s npm >/dev/null 2>&1 || needed+=(npm) ;;
    *) dpkg -s "$pkg" >/dev/null 2>&1 || needed+=("$pkg") ;;
  esac
done
install_npm() {
  local cache=${ZUUL_NPM_CACHE:-$HOME/.cache/orleans-zuul/npm}
  for spec in "${npm_packages[@]}"; do
    local dir="$cache/$spec" name=${spec%@*}
    [ -f "$dir/node_modules/$name/package.json" ] && continue
    echo "install-deps: npm $spec into $dir" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --no-save "$spec" >/dev/null
  done
}
if [ ${#needed[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "install-deps: installing ${needed[*]}" >&2
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${needed[@]}" >/dev/null
fi
[ ${#npm_packages[@]} -eq 0 ] || install_npm
