#!/bin/sh
# setup_image.sh: what both images add to their base (run as root, through
# with_ca.sh's build secret): CA certificates and libvulkan1 (Deno's WebGPU
# reaches an NVIDIA GPU through Vulkan, whose driver side the NVIDIA container
# toolkit mounts for the `graphics` capability), a non-root user, and the
# folders /data (input; mount it read-only), /out (checkpoints, tokens and
# reports) and /cache (caches that should outlive a job).
set -eu
with_ca.sh apt-get update
with_ca.sh apt-get install -y --no-install-recommends ca-certificates libvulkan1
rm -rf /var/lib/apt/lists/*
useradd --uid 1000 --user-group --create-home --shell /bin/sh simvqgan
mkdir -p /data /out /cache
chown simvqgan:simvqgan /out /cache
chmod 1777 /out /cache
