# SimVQGAN on an NVIDIA GPU: the `tensorflow` backend (tfjs-node-gpu 4.22,
# libtensorflow 2.9 built for CUDA 11.x + cuDNN 8).
#
#   docker build -t simvqgan .
#   docker run --gpus all -v /data/run1:/data -v /data/ckpt:/ckpt simvqgan \
#     --config configs/train_config.json --data-root /data --ckpt-dir /ckpt
#
# Arguments after the image name are `deno task train` flags.
FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04

ENV DEBIAN_FRONTEND=noninteractive
# Node.js and npm only to install Deno from the npm registry; python3, make and
# g++ for tfjs-node-gpu's install script if it has to build its binding.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates nodejs npm python3 make g++ \
  && rm -rf /var/lib/apt/lists/* \
  && npm install -g deno@2

WORKDIR /app
ENV DENO_DIR=/app/.deno_dir
COPY . .

# The locked dependencies, then the native binding. tfjs-node-gpu's install
# script downloads libtensorflow; Deno runs it only when allowed, and only
# into a node_modules directory (hence --node-modules-dir=auto, which the
# train:gpu task passes too).
RUN deno install --frozen \
  && deno install --node-modules-dir=auto --allow-scripts=npm:@tensorflow/tfjs-node-gpu \
    npm:@tensorflow/tfjs-node-gpu@4.22.0

ENTRYPOINT ["deno", "task", "train:gpu"]
