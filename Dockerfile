# One image for the web and worker services of docker-compose.yml.
FROM debian:12-slim

ENV DEBIAN_FRONTEND=noninteractive PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends \
        python3 python3-venv python3-dev gcc make pkg-config ca-certificates \
        clang llvm libbpf-dev bpftool iproute2 bubblewrap busybox-static cpio kmod \
        qemu-system-x86 libelf-dev zlib1g-dev libzstd-dev procps postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt requirements-dev.txt ./
RUN python3 -m venv /app/.venv && /app/.venv/bin/pip install -q -r requirements.txt
ENV PATH=/app/.venv/bin:$PATH
COPY . .
# The sandbox's agent and VM image are built into the image, not at container start.
RUN python -m sandbox build && (python -m sandbox image build || echo "no VM image: microvm backend unavailable")
RUN DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0

EXPOSE 8000
CMD ["uvicorn", "web.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
