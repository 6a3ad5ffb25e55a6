#!/usr/bin/env bash
# container-smoke.sh [--make-base] [--train-only]: build the Dockerfile's `cpu`
# target with buildah and run jobs in it as a user would, on the bundled
# sample: `train --max-steps 2` (the quickstart) into a host folder mounted at
# /out, then `encode` over a host folder mounted read-only at /data holding a
# copy of the sample; then check on the host what they wrote. Slow (minutes) and needs root: not part of CI.
#
#   --make-base   first make docker.io/library/debian:bookworm-slim locally
#                 (debootstrap --variant=minbase + podman import), for machines
#                 that cannot pull from a registry; the build then uses
#                 --pull=never
#   --train-only  stop after the train job (until the encode task exists)
#
# The build runs with `--isolation=chroot` and the jobs with `buildah run`
# (podman's runtime cannot set rlimits on some VMs). An extra CA certificate for
# a TLS-inspecting proxy is handed to the build as the secret `ca`: $SMOKE_CA,
# else $NODE_EXTRA_CA_CERTS when set. Outputs and logs stay in $SMOKE_DIR
# (default: a new folder under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE=docker.io/library/debian:bookworm-slim
IMAGE=${SMOKE_IMAGE:-localhost/simvqgan:cpu-smoke}
WORK=${SMOKE_DIR:-$(mktemp -d /tmp/simvqgan-smoke.XXXXXX)}
CA=${SMOKE_CA:-${NODE_EXTRA_CA_CERTS:-}}
make_base=0 train_only=0
for arg in "$@"; do
  case $arg in
    --make-base) make_base=1 ;;
    --train-only) train_only=1 ;;
    *) echo "usage: $0 [--make-base] [--train-only]" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf 'ok: %s\n' "$*"; }
command -v buildah >/dev/null || fail "buildah is not installed (Debian: apt-get install buildah)"
mkdir -p "$WORK"
echo "work folder: $WORK"

pull=()
if [[ $make_base == 1 ]]; then
  step "make $BASE_IMAGE with debootstrap"
  if buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
    ok "already in local storage"
  else
    command -v debootstrap >/dev/null || fail "debootstrap is not installed"
    command -v podman >/dev/null || fail "podman is not installed"
    debootstrap --variant=minbase bookworm "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 ||
      { tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; }
    tar -C "$WORK/rootfs" -c . | podman import - "$BASE_IMAGE" >/dev/null
    rm -rf "$WORK/rootfs"
    ok "imported"
  fi
  pull=(--pull=never)
fi

step "build the cpu target"
secret=()
if [[ -n $CA ]]; then
  [[ -s $CA ]] || fail "CA file $CA is empty or missing"
  secret=(--secret "id=ca,src=$CA")
  echo "CA certificate for the build: $CA (as the secret 'ca')"
fi
start=$SECONDS
buildah bud --isolation=chroot "${pull[@]}" "${secret[@]}" --target cpu \
  -t "$IMAGE" . >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail "build (log: $WORK/build.log)"; }
grep -E '^(deno|v8|typescript) ' "$WORK/build.log" | head -3
ok "built $IMAGE in $((SECONDS - start)) s"

ctr=$(buildah from --pull=never "$IMAGE")
mnt=""
cleanup() {
  if [[ -n $mnt ]]; then buildah umount "$ctr" >/dev/null 2>&1 || true; fi
  buildah rm "$ctr" >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "image: user, entrypoint, volumes"
user=$(buildah inspect --format '{{.OCIv1.Config.User}}' "$IMAGE")
entrypoint=$(buildah inspect --format '{{.OCIv1.Config.Entrypoint}}' "$IMAGE")
volumes=$(buildah inspect --format '{{range $k, $v := .OCIv1.Config.Volumes}}{{$k}} {{end}}' "$IMAGE")
[[ $user == simvqgan ]] || fail "image user is '$user', not simvqgan"
[[ $entrypoint == "[entrypoint.sh]" ]] || fail "entrypoint is $entrypoint"
for v in /data /out /cache; do [[ " $volumes " == *" $v "* ]] || fail "no volume $v (have: $volumes)"; done
ok "user $user, entrypoint $entrypoint, volumes $volumes"

if [[ -n $CA ]]; then
  step "the CA certificate is in no file of the image"
  mnt=$(buildah mount "$ctr")
  # Certificates of the secret that Debian's bundle lacks (the proxy's own); a
  # line from the middle of each must appear nowhere in the image.
  needles=$(awk -v image="$mnt/etc/ssl/certs/ca-certificates.crt" '
    BEGIN { while ((getline line < image) > 0) known[line] = 1 }
    /-----BEGIN CERTIFICATE-----/ { n = 0; extra = 0; next }
    /-----END CERTIFICATE-----/ { if (extra && pick != "") print pick; pick = ""; next }
    { n++; if (!($0 in known)) extra = 1; if (n == 6) pick = $0 }' "$CA")
  count=0
  while IFS= read -r needle; do
    [[ -z $needle ]] && continue
    count=$((count + 1))
    if grep -rlF --exclude-dir=proc --exclude-dir=sys -- "$needle" "$mnt" 2>/dev/null | head -1 | grep -q .; then
      fail "a certificate of the build secret is stored in the image"
    fi
  done <<<"$needles"
  buildah umount "$ctr" >/dev/null
  mnt=""
  ok "$count extra certificate(s) of the secret checked: found in no file"
fi

# Host folders the job user (uid 1000 in the image) can write to.
mkdir -p "$WORK/data" "$WORK/out" "$WORK/cache"
cp tests/fixtures/pod5/z1.pod5 "$WORK/data/"
chmod 0777 "$WORK/out" "$WORK/cache"
# buildah 1.28 mounts an anonymous volume at each of the image's VOLUMEs and,
# in an order that changes from run to run, lets it hide a -v bind mount at the
# same place (or turn it read-only); docker and podman run do not. So the job
# container drops the declarations (the image keeps them, checked above).
buildah config --volume /data- --volume /out- --volume /cache- "$ctr"
in_job() {
  buildah run --isolation=chroot \
    -v "$WORK/data:/data:ro" -v "$WORK/out:/out" -v "$WORK/cache:/cache" "$ctr" -- "$@"
}
run_job() { in_job entrypoint.sh "$@"; }

step "job: the mounts"
in_job sh -c 'grep -qE "^[^ ]+ /data [^ ]+ ro[, ]" /proc/mounts' || fail "/data is not mounted read-only"
in_job sh -c 'test -f /data/z1.pod5 && touch /out/.probe /cache/.probe' || fail "/data, /out or /cache not as mounted"
[[ -f $WORK/out/.probe && -f $WORK/cache/.probe ]] || fail "/out or /cache writes do not reach the host"
rm -f "$WORK/out/.probe" "$WORK/cache/.probe"
ok "/data read-only with the sample, /out and /cache written through to the host"

step "job: train --max-steps 2 (the quickstart on the bundled sample)"
start=$SECONDS
run_job train --max-steps 2 2>&1 | tee "$WORK/train.log" || fail "train job (log: $WORK/train.log)"
echo "($((SECONDS - start)) s)"
# In the image the quickstart's checkpoint folder is /out.
ckpt_dir=$WORK/out/quickstart
ckpt=$ckpt_dir/checkpoint_2
for f in generator.safetensors discriminator.safetensors optimizer.safetensors state.json; do
  [[ -s $ckpt/$f ]] || fail "no $ckpt/$f on the host"
done
[[ -s $ckpt_dir/metrics.jsonl && -s $ckpt_dir/train.log ]] || fail "no metrics.jsonl or train.log"
# Independent of the project's code: the JSON says step 2, the weights file
# is valid safetensors (u64 header length, then a JSON header).
step_in_state=$(F="$ckpt/state.json" deno eval 'console.log(JSON.parse(Deno.readTextFileSync(Deno.env.get("F"))).step)')
[[ $step_in_state == 2 ]] || fail "state.json says step $step_in_state, not 2"
F="$ckpt/generator.safetensors" deno eval '
  const bytes = Deno.readFileSync(Deno.env.get("F"));
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const tensors = Object.keys(header).filter((k) => k !== "__metadata__").length;
  if (tensors === 0) throw new Error("no tensors");
  console.log(`generator.safetensors: ${tensors} tensors, ${bytes.length} bytes`);' || fail "generator.safetensors"
owner=$(stat -c %u "$ckpt/state.json")
[[ $owner == 1000 ]] || fail "checkpoint owned by uid $owner, not the image's user (1000)"
ok "checkpoint_2 on the host, step 2, written by uid $owner"
if grep -q 'Ignored build scripts' "$WORK/train.log"; then fail "Deno warned about npm build scripts in the job"; fi

if [[ $train_only == 1 ]]; then
  step "encode: not run (--train-only)"
  echo "PASS (train only)"
  exit 0
fi

step "job: encode /data -> /out/tokens"
grep -qF '"encode":' deno.json || fail "deno.json has no encode task (run with --train-only until it exists)"
start=$SECONDS
run_job encode /data -o /out/tokens --ckpt /out/quickstart 2>&1 | tee "$WORK/encode.log" ||
  fail "encode job (log: $WORK/encode.log)"
echo "($((SECONDS - start)) s)"
tokens=$WORK/out/tokens/z1.tokens
[[ -s $tokens ]] || fail "no $tokens on the host (folders are mirrored: /data/z1.pod5 -> /out/tokens/z1.tokens)"
# One row per read of the input: counted by apache-arrow against inspect.
reads=$(deno task -q inspect --jsonl "$WORK/data/z1.pod5" | wc -l)
rows=$(F="$tokens" deno eval '
  import { tableFromIPC } from "apache-arrow";
  console.log(tableFromIPC(Deno.readFileSync(Deno.env.get("F"))).numRows);')
[[ $rows == "$reads" ]] || fail "$tokens has $rows rows, the input has $reads reads"
ok "z1.tokens: an Arrow IPC file with $rows rows, one per read"
echo "PASS"
