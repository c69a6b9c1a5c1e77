#!/usr/bin/env bash
# Task engine tests (issue 4): the SSH runner's integration test and bench/tasks-*.ts
# start a throw-away OpenSSH server on loopback; the helper-library test runs under dash.
set -euo pipefail
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
[ -x /usr/bin/dash ] || need+=(dash)
[ "${#need[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "setup: installing ${need[*]} (task engine tests)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  # The Debian package starts nothing here (no init system); tests run their own sshd.
else
  echo "setup: missing Debian packages for the task engine tests: ${need[*]} (sudo apt-get install ${need[*]})" >&2
  exit 1
fi
