#!/usr/bin/env bash
# One-time set-up of a fresh machine: pnpm, the workspace's npm packages (from the lockfile) and,
# where we are root with apt, LAMMPS (the MD engine the dataset generator drives; Debian `lammps`)
# and Slurm (slurm-wlm + munge, for the Slurm executor's tests).
# Safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version 2>/dev/null | grep -q '^10\.'; then
  echo "[setup] installing pnpm 10 (corepack is not used: its signature check fails offline)"
  npm install -g pnpm@10 >/dev/null
fi

if ! command -v lmp >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[setup] installing LAMMPS (Debian package lammps)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q lammps >/dev/null
  else
    echo "[setup] note: 'lmp' (LAMMPS) not found; the dataset generator needs it (apt-get install lammps)." >&2
  fi
fi

# Slurm (Debian packages slurm-wlm + munge): the Slurm executor's tests start a single-node cluster on
# this machine (slurmctld + slurmd + a private munged, config in a temp folder; nothing is enabled
# as a service). Without them those tests are skipped with the reason (and fail under CI=true).
if ! command -v sbatch >/dev/null 2>&1 || [ ! -x /usr/sbin/slurmctld ] || [ ! -x /usr/sbin/slurmd ] || [ ! -x /usr/sbin/munged ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[setup] installing Slurm (Debian packages slurm-wlm and munge, for the Slurm executor's tests)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q slurm-wlm munge >/dev/null
  else
    echo "[setup] note: Slurm not found; the Slurm executor's tests need root and slurm-wlm + munge (apt-get install slurm-wlm munge)." >&2
  fi
fi

# Chromium (Debian package `chromium`): the web page's end-to-end test (examples/web) drives it
# headless through playwright-core (which downloads no browser of its own).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[setup] installing Chromium (Debian package chromium, for the web page's browser tests)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q chromium >/dev/null
  else
    echo "[setup] note: 'chromium' not found; the web page's browser tests need it (apt-get install chromium)." >&2
  fi
fi

# ASE (optional): lets the io tests check that ASE reads our extended XYZ and dump files.
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 && ! /usr/bin/python3 -c 'import ase' >/dev/null 2>&1; then
  echo "[setup] installing python3-ase (optional interop check)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-ase >/dev/null 2>&1 || echo "[setup] python3-ase not installed; ASE interop tests will skip" >&2
fi

echo "[setup] installing npm packages (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile
