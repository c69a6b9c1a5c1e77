// Shell functions every task script can call. First the ones iximiuz Labs documents for
// its task engine ("List of Built-in Helper Functions" in its sample tutorial): the same
// names, arguments and output, so content written for iximiuz Labs checks the same way
// here — `docker_*`, `podman_*`, `nerdctl_*` and `ctr_*`, which print what the engine's
// inspect prints or answer through their exit code. Then Sandlot's own extras. Written
// here for Sandlot; POSIX sh, so they work under bash and dash. Like iximiuz Labs, files in
// /opt/iximiuz-labs/examiner/checks.d/ are sourced too, so content can add its own.

/**
 * podman and nerdctl answer the same inspect templates as Docker; iximiuz Labs documents
 * the same helper set for each, run as root (see _sandlot_root).
 */
function engineHelpers(tool: 'podman' | 'nerdctl'): string {
  const engine = tool === 'podman' ? 'Podman' : 'nerdctl';
  const inspect = `_sandlot_root ${tool} inspect --format`;
  return [
    `# ${engine} (iximiuz Labs)`,
    `${tool}_container_name() { ${inspect} '{{.Name}}' "$@"; }`,
    `${tool}_container_pid() { ${inspect} '{{.State.Pid}}' "$@"; }`,
    `${tool}_container_ip() { ${inspect} '{{.NetworkSettings.IPAddress}}' "$@"; }`,
    `${tool}_container_is_running() {`,
    `  [ "$(${inspect} '{{.State.Running}}' $@ 2>/dev/null)" = true ]`,
    '}',
    `${tool}_container_exit_code() { ${inspect} '{{.State.ExitCode}}' $@; }`,
    `${tool}_container_count_total() { _sandlot_root ${tool} ps -aq | _sandlot_count; }`,
    `${tool}_container_count_running() { _sandlot_root ${tool} ps -q | _sandlot_count; }`,
    '',
  ].join('\n');
}

export const HELPER_LIBRARY = String.raw`
# --- sandlot task helpers ---
# podman, nerdctl and ctr need root: as root run them directly, else through sudo without
# a password prompt (a prompt would hang the check until its timeout).
_sandlot_root() {
  if [ "$(id -u)" = 0 ] || ! command -v sudo >/dev/null 2>&1; then "$@"; else sudo -n "$@"; fi
}
# "5", not "      5": wc pads its count on some systems (busybox).
_sandlot_count() { wc -l | tr -d ' \t'; }

# Docker (iximiuz Labs)
docker_container_name() { docker container inspect --format '{{.Name}}' "$@"; }
docker_container_pid() { docker container inspect --format '{{.State.Pid}}' "$@"; }
docker_container_ip() { docker container inspect --format '{{.NetworkSettings.IPAddress}}' "$@"; }
docker_container_image() { docker container inspect --format '{{.Config.Image}}' "$@"; }
docker_container_image_id() { docker container inspect --format '{{.Image}}' "$@"; }
docker_container_is_running() {
  [ "$(docker container inspect --format '{{.State.Running}}' $@ 2>/dev/null)" = true ]
}
docker_container_exit_code() { docker container inspect --format '{{.State.ExitCode}}' $@; }
docker_container_count_total() { docker ps -aq | _sandlot_count; }
docker_container_count_running() { docker ps -q | _sandlot_count; }
docker_image_id() { docker image inspect --format '{{.Id}}' "$@"; }
docker_image_size_bytes() { docker image inspect --format '{{.Size}}' "$@"; }

${engineHelpers('podman')}
${engineHelpers('nerdctl')}
# ctr, containerd's own client (iximiuz Labs)
ctr_container_pid() { _sandlot_root ctr tasks ps "$@" | head -n 2 | tail -n 1 | awk '{print $1}'; }
ctr_container_netns() {
  _sandlot_root lsns -p "$(ctr_container_pid $@)" -t net --nowrap --noheadings | awk '{print $1}'
}
ctr_container_is_running() { _sandlot_root ctr tasks list | grep RUNNING | grep -F "$@" >/dev/null; }
ctr_container_count_total() { _sandlot_root ctr containers list -q | _sandlot_count; }
ctr_container_count_running() { _sandlot_root ctr tasks list | grep RUNNING | _sandlot_count; }

# Sandlot's extras
docker_container_exists() {
  [ -n "$1" ] && docker container inspect "$1" >/dev/null 2>&1
}
docker_container_count() { docker_container_count_total 2>/dev/null; }
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

# Helpers the content or the machine brings along, as on iximiuz Labs.
for _sandlot_check in /opt/iximiuz-labs/examiner/checks.d/*; do
  [ -f "$_sandlot_check" ] && . "$_sandlot_check"
done
unset _sandlot_check
# --- end of helpers ---
`;

const EXTRAS_START = HELPER_LIBRARY.indexOf("# Sandlot's extras");
const definedIn = (text: string) => [...text.matchAll(/^([a-z_]+)\(\)/gm)].map((m) => m[1]).filter((n) => !n.startsWith('_'));

/** The helpers iximiuz Labs documents, with its names. */
export const IXIMIUZ_HELPERS = definedIn(HELPER_LIBRARY.slice(0, EXTRAS_START));
/** Sandlot's own helpers (docs/tutorials.md lists them as extras). */
export const SANDLOT_HELPERS = definedIn(HELPER_LIBRARY.slice(EXTRAS_START));
export const HELPER_NAMES = [...IXIMIUZ_HELPERS, ...SANDLOT_HELPERS];
