#!/bin/sh
# The image's entrypoint: `IMAGE TASK [FLAGS...]` runs `deno task TASK [FLAGS...]`
# in /opt/simvqgan, e.g. `IMAGE train --config /data/train.json ...` or
# `IMAGE encode /data -o /out/tokens --ckpt /out/ckpt`. Without a task it lists
# the tasks.
#
# SIMVQGAN_TASK_VARIANT=gpu (set in the cuda image) runs TASK:gpu instead of
# TASK where deno.json has one: those variants load the native tensorflow
# backend. Set it empty (-e SIMVQGAN_TASK_VARIANT=) to run the plain task.
set -eu
cd /opt/simvqgan
if [ "$#" -eq 0 ]; then
  echo "usage: IMAGE TASK [FLAGS...]   (each task takes --help); tasks:" >&2
  exec deno task
fi
task=$1
shift
variant=${SIMVQGAN_TASK_VARIANT:-}
if [ -n "$variant" ] && grep -qF "\"$task:$variant\":" deno.json; then
  task="$task:$variant"
fi
exec deno task "$task" "$@"
