#!/usr/bin/env bash
# A stand-in for `singularity`, for tests/workflow/snakefile_test.ts: it
# appends each call to $STAND_IN_LOG; `pull --name FILE` creates FILE, and
# `exec [options] IMAGE CMD...` runs CMD here, as the image would.
set -euo pipefail
echo "singularity $*" >>"$STAND_IN_LOG"
case "$1" in
  --version) echo "singularity version 3.8.7" ;;
  pull)
    while [[ $# -gt 0 ]]; do
      if [[ "$1" == --name ]]; then touch "$2"; shift; fi
      shift
    done
    ;;
  exec)
    shift
    while [[ "$1" == --* ]]; do
      case "$1" in --home | --bind | -B) shift ;; esac
      shift
    done
    shift # the image
    exec "$@"
    ;;
  *) echo "stand-in singularity: unexpected call: $*" >&2; exit 1 ;;
esac
