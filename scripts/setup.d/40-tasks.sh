#!/usr/bin/env bash
# Task engine tests (issue 4): the SSH runner's integration test and bench/tasks-*.ts
# start a throw-away OpenSSH server on loopback; the helper-library test runs under dash.
set -euo pipefail
source "$(dirname "$0")/../lib/debian-packages.sh"
# The Debian package starts nothing here (no init system); tests run their own sshd.
ensure_debian_packages tasks openssh-server=/usr/sbin/sshd dash=/usr/bin/dash
