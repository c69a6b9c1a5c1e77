// Shell functions every task script can call, written for Sandlot with the names and
// meaning iximiuz Labs task authors use. POSIX sh, so they work under bash and dash;
// every function answers through its exit code (0 = yes) unless it prints a count.

export const HELPER_LIBRARY = String.raw`
# --- sandlot task helpers ---
docker_container_exists() {
  [ -n "$1" ] && docker container inspect "$1" >/dev/null 2>&1
}
docker_container_is_running() {
  [ "$(docker container inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = "true" ]
}
docker_container_count_running() {
  docker ps -q 2>/dev/null | wc -l | tr -d ' '
}
docker_container_count() {
  docker ps -aq 2>/dev/null | wc -l | tr -d ' '
}
docker_container_exit_code() {
  docker container inspect -f '{{.State.ExitCode}}' "$1" 2>/dev/null
}
docker_container_image_is() {
  [ "$(docker container inspect -f '{{.Config.Image}}' "$1" 2>/dev/null)" = "$2" ]
}
docker_image_exists() {
  [ -n "$1" ] && docker image inspect "$1" >/dev/null 2>&1
}
docker_volume_exists() {
  [ -n "$1" ] && docker volume inspect "$1" >/dev/null 2>&1
}
docker_network_exists() {
  [ -n "$1" ] && docker network inspect "$1" >/dev/null 2>&1
}
file_exists() { [ -f "$1" ]; }
dir_exists() { [ -d "$1" ]; }
file_contains() { [ -f "$1" ] && grep -qF -- "$2" "$1"; }
user_exists() { id -u "$1" >/dev/null 2>&1; }
process_is_running() {
  for d in /proc/[0-9]*; do
    [ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] && return 0
  done
  return 1
}
# A TCP port is listening on any local address (reads /proc, needs neither ss nor netstat).
port_is_listening() {
  hex=$(printf '%04X' "$1")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }'
}
# Debian's static busybox wget crashes on -T, and wget may be that busybox: bound it with timeout.
http_ok() {
  if command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null --max-time 5 "$1"
  elif command -v wget >/dev/null 2>&1; then timeout 5 wget -q -O /dev/null "$1"
  else timeout 5 busybox wget -q -O /dev/null "$1"
  fi
}
# --- end of helpers ---
`;

export const HELPER_NAMES = [...HELPER_LIBRARY.matchAll(/^([a-z_]+)\(\)/gm)].map((m) => m[1]);
