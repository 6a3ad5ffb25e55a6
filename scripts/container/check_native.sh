#!/bin/sh
# check_native.sh: fail unless tfjs-node-gpu's native part is installed in
# node_modules and loads. The Dockerfile's cuda stage runs it in /opt/simvqgan
# right after the install; it needs no GPU (without one, libtensorflow runs on
# the CPU and says so).
set -eu
pkg=node_modules/@tensorflow/tfjs-node-gpu
binding=$pkg/lib/napi-v8/tfjs_binding.node
fail() {
  echo "check_native: $*" >&2
  exit 1
}

# Where node-pre-gyp looks under Deno (Node-API 10, so the napi-v8 build) and
# what tfjs-node-gpu's install script unpacks from libtensorflow's tarball.
test -f "$binding" || fail "no $binding: tfjs-node-gpu's install script did not put the addon in place"
ls "$pkg"/deps/lib/libtensorflow.so* >/dev/null 2>&1 || fail "no $pkg/deps/lib/libtensorflow.so*"

# The addon links libtensorflow through its rpath ($ORIGIN/../../deps/lib);
# ldd follows every link from there (libtensorflow_framework, libstdc++, ...).
missing=$(ldd "$binding" | grep "not found" || true)
test -z "$missing" || fail "$binding cannot be loaded: $missing"

# What libtensorflow 2.9.1 (built for CUDA 11.2 and cuDNN 8) dlopens when it
# finds a GPU. libcuda.so.1 is the driver's: the NVIDIA container toolkit
# mounts it from the host at run time.
for soname in libcudart.so.11.0 libcublas.so.11 libcublasLt.so.11 libcufft.so.10 libcurand.so.10 \
  libcusolver.so.11 libcusparse.so.11 libcudnn.so.8; do
  found=$(ldconfig -p | awk -v name="$soname" '$1 == name { print $NF }')
  if [ -z "$found" ]; then
    for dir in $(echo "${LD_LIBRARY_PATH:-}" | tr ':' ' '); do
      if [ -e "$dir/$soname" ]; then found=$dir/$soname; fi
    done
  fi
  test -n "$found" || fail "$soname is not in the image (is BASE a CUDA 11 image with cuDNN 8?)"
done

# Load it for real, as train:gpu does: tfjs-node-gpu's JS side, node-pre-gyp,
# the addon, libtensorflow. Prints the model summary and the backend line
# (with no GPU at build time: "no GPU visible, running on the CPU").
timeout 300 deno run --node-modules-dir=auto --allow-read --allow-env --allow-ffi=node_modules \
  main.ts summary --backend tensorflow || fail "the tensorflow backend does not initialise"
echo "check_native: ok"
