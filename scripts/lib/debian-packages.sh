# Sourced by scripts/setup.sh and its parts in scripts/setup.d/.
#
# ensure_debian_packages LABEL [--no-recommends] PACKAGE=PATH...
# Each PACKAGE counts as present when PATH exists. As root, missing ones are installed
# with apt-get; otherwise the call names them and how to install them, and fails.
ensure_debian_packages() {
  local label=$1 recommends=()
  shift
  if [ "${1:-}" = --no-recommends ]; then
    recommends=(--no-install-recommends)
    shift
  fi
  local missing=() pair
  for pair in "$@"; do
    [ -e "${pair#*=}" ] || missing+=("${pair%%=*}")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "setup ($label): missing Debian packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "setup ($label): installing ${missing[*]}"
  apt-get update -qq
  # Parts may run while another apt-get holds the lock (a developer's own install).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${recommends[@]}" "${missing[@]}" >/dev/null
}
