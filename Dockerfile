# syntax=docker/dockerfile:1
# SimVQGAN as container jobs: the arguments after the image name are a task
# and its flags (`IMAGE train ...`, `IMAGE encode ...`, `IMAGE validate ...`).
#
# Two targets, each on its own base image:
#   cuda (default)  the native tensorflow backend on an NVIDIA GPU: tfjs-node-gpu
#                   4.22.0 with libtensorflow 2.9.1, on CUDA 11.8 and cuDNN 8
#       docker build -t simvqgan:cuda .
#   cpu             the wasm backend (and webgpu, where Vulkan finds a GPU), on
#                   debian:bookworm-slim
#       docker build --target cpu -t simvqgan:cpu .
# Building one target never fetches the other's base image: Deno, the project
# and its npm packages are put together once on the Debian base (stage `app`)
# and copied into both.
#
# Behind a TLS-inspecting proxy, hand its CA certificate to the steps that
# download (apt, Deno, npm packages, libtensorflow) as a build secret; it is
# never stored in the image:
#       docker build --secret id=ca,src=/path/to/proxy-ca.pem ...
#
# How to run the images: README.md, "On a GPU".

# CUDA 11.8 is the first CUDA with Hopper (H100/H200) support and still ships
# the .so.11 libraries (and cuDNN 8) that libtensorflow 2.9.1 was built against.
# Pinned by digest.
ARG CUDA_BASE=nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04@sha256:85fb7ac694079fff1061a0140fd5b5a641997880e12112d92589c3bbb1e8b7ca
ARG CPU_BASE=debian:bookworm-slim

# ---- app: Deno, the project and its locked npm packages (copied into both targets).
FROM ${CPU_BASE} AS app
# Deno as the official binary from the npm registry (the tarball that
# `npm install deno` unpacks), checked against the registry's sha512.
ARG DENO_VERSION=2.9.6
ARG DENO_SHA512=de67784ca2c2bb3b0b0e67cea02e4a37b34065ac525643209bae2f83a7e80f4d090400c2a584b6ff942a5dfce09cfe59433de22cff6f05026d120735d7a380a1
ENV DEBIAN_FRONTEND=noninteractive \
    DENO_DIR=/opt/deno \
    DENO_NO_UPDATE_CHECK=1 \
    DENO_NO_PROMPT=1
COPY scripts/container/with_ca.sh /usr/local/bin/
RUN --mount=type=secret,id=ca,required=false \
    with_ca.sh apt-get update \
 && with_ca.sh apt-get install -y --no-install-recommends ca-certificates curl \
 && with_ca.sh curl -fsSL --retry 3 -o /tmp/deno.tgz \
      "https://registry.npmjs.org/@deno/linux-x64-glibc/-/linux-x64-glibc-${DENO_VERSION}.tgz" \
 && echo "${DENO_SHA512}  /tmp/deno.tgz" | sha512sum -c - \
 && tar -xzf /tmp/deno.tgz -C /usr/local/bin --strip-components=1 package/deno \
 && rm /tmp/deno.tgz \
 && deno --version
WORKDIR /opt/simvqgan
COPY . .
# Exactly the npm packages in deno.lock, into DENO_DIR; then one task as a
# smoke test (it also fills Deno's caches, so jobs start without writing there).
# The quickstart's checkpoint folder (checkpoints/) is /out, so that a bare
# `IMAGE train` writes /out/quickstart.
RUN --mount=type=secret,id=ca,required=false \
    with_ca.sh deno install --frozen \
 && deno task summary \
 && ln -s /out checkpoints \
 && chmod -R a+rX /opt/deno /opt/simvqgan

# ---- cpu: the Debian base, the user and folders, and the app.
FROM ${CPU_BASE} AS cpu
ENV DEBIAN_FRONTEND=noninteractive \
    DENO_DIR=/opt/deno \
    DENO_NO_UPDATE_CHECK=1 \
    DENO_NO_PROMPT=1 \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics
COPY scripts/container/with_ca.sh scripts/container/entrypoint.sh scripts/container/setup_image.sh /usr/local/bin/
RUN --mount=type=secret,id=ca,required=false setup_image.sh
COPY --from=app /usr/local/bin/deno /usr/local/bin/deno
COPY --from=app /opt /opt
WORKDIR /opt/simvqgan
VOLUME ["/data", "/out", "/cache"]
USER simvqgan
ENTRYPOINT ["entrypoint.sh"]

# ---- cuda (the default, hence last): the CUDA base, the same user, folders
# and app as cpu, and the native binding.
FROM ${CUDA_BASE} AS cuda
ENV DEBIAN_FRONTEND=noninteractive \
    DENO_DIR=/opt/deno \
    DENO_NO_UPDATE_CHECK=1 \
    DENO_NO_PROMPT=1 \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics
COPY scripts/container/with_ca.sh scripts/container/entrypoint.sh scripts/container/setup_image.sh /usr/local/bin/
RUN --mount=type=secret,id=ca,required=false setup_image.sh
COPY --from=app /usr/local/bin/deno /usr/local/bin/deno
COPY --from=app /opt /opt
WORKDIR /opt/simvqgan
VOLUME ["/data", "/out", "/cache"]
# tfjs-node-gpu's install script downloads libtensorflow 2.9.1 (GPU) and the
# prebuilt addon from storage.googleapis.com. Deno runs it only when allowed
# and only into a local node_modules (tfjs issues #8579, #8581), which is where
# `deno task train:gpu` (--node-modules-dir=auto) loads it from. --frozen: the
# JS side is the one in deno.lock. Where storage.googleapis.com is out of
# reach, point the two downloads at a mirror of its layout:
# TFJS_NODE_CDN_STORAGE=https://mirror/ (libtensorflow, read by the install
# script) and TFJS_BINDING_HOST=https://mirror/tf-builds/pre-built-binary/ (the
# addon, handed to node-pre-gyp as its binary host mirror).
ARG TFJS_NODE_CDN_STORAGE=
ARG TFJS_BINDING_HOST=
RUN --mount=type=secret,id=ca,required=false \
    npm_config_tfjs_binding_binary_host_mirror="$TFJS_BINDING_HOST" \
    with_ca.sh deno install --frozen --node-modules-dir=auto --allow-scripts=npm:@tensorflow/tfjs-node-gpu \
 && chmod -R a+rX node_modules
# Fails unless lib/napi-v8/tfjs_binding.node and deps/lib/libtensorflow.so*
# exist, every library they link resolves, the CUDA libraries libtensorflow
# opens are in the image, and the backend initialises (on the CPU: no GPU here).
RUN scripts/container/check_native.sh
# TASK runs TASK:gpu where deno.json has one (see entrypoint.sh). On H100/H200
# (sm_90) the driver JIT-compiles libtensorflow 2.9's kernels from PTX on first
# use; a persistent CUDA cache (mount /cache) makes that a one-time cost, and
# the default 256 MiB cache is too small for them. Memory is taken as needed
# rather than all at start, so other processes can share the GPU.
ENV SIMVQGAN_TASK_VARIANT=gpu \
    CUDA_CACHE_PATH=/cache/cuda \
    CUDA_CACHE_MAXSIZE=4294967296 \
    TF_FORCE_GPU_ALLOW_GROWTH=true
USER simvqgan
ENTRYPOINT ["entrypoint.sh"]
