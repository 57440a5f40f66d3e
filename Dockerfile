# One image for the web and worker services of docker-compose.yml.
#
# BASE_IMAGE: a Debian 12 image; the public debian:12-slim by default, or the one
#   `make compose-images` makes from Debian's packages where no registry is reachable.
# PIP_WHEELS: empty to install the Python packages from PyPI; or a folder of the build
#   context holding every wheel (`make compose-images` fills var/wheels) to install from it
#   alone, for a machine whose containers reach no package index.
ARG BASE_IMAGE=debian:12-slim
FROM ${BASE_IMAGE}

ENV DEBIAN_FRONTEND=noninteractive PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends \
        python3 python3-venv python3-dev gcc make pkg-config ca-certificates \
        clang llvm libbpf-dev bpftool iproute2 bubblewrap busybox-static cpio kmod lz4 zstd \
        qemu-system-x86 libelf-dev zlib1g-dev libzstd-dev procps postgresql-client iputils-ping \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ARG PIP_WHEELS=
COPY requirements.txt ${PIP_WHEELS} /tmp/pip/
RUN python3 -m venv /app/.venv \
    && if [ -n "$PIP_WHEELS" ]; then \
        /app/.venv/bin/pip install -q --no-index --find-links /tmp/pip -r /tmp/pip/requirements.txt; \
    else \
        /app/.venv/bin/pip install -q -r /tmp/pip/requirements.txt; \
    fi \
    && rm -rf /tmp/pip
ENV PATH=/app/.venv/bin:$PATH
COPY . .
# The agent is built into the image. The microVM images (a kernel from Debian's archive, its
# headers precompiled in the compile jail, initramfs, snapshot) cannot be: the jail makes
# namespaces a `docker build` step may not. The worker builds them at its first start into
# a volume (docker-compose.yml), and fails, saying why, if it cannot.
RUN python -m sandbox build
RUN DEBUG=false SECRET_KEY=build-only SANDBOX_BACKEND=microvm python manage.py collectstatic --noinput -v 0

# Healthy only while this container can run its configured sandbox backend (SANDBOX_BACKEND):
# `docker inspect` shows the reason when it cannot.
HEALTHCHECK --interval=30s --timeout=60s --start-period=600s \
    CMD python -m sandbox check --backend "${SANDBOX_BACKEND:-local}" --run

EXPOSE 8000
CMD ["uvicorn", "web.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
