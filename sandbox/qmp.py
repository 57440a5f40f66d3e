"""A minimal QMP (QEMU Machine Protocol) client over an already connected socket.

The microvm backend hands qemu one end of a socketpair (`-chardev socket,fd=N`), so
there is no socket file to create, wait for or remove. QMP is JSON lines: a greeting,
then one reply per command, with asynchronous events (STOP, RESUME, MIGRATION, ...) in
between. `execute` returns a command's result and keeps the events it read on the way,
so `wait_event` can find one that arrived before it was asked for.
"""

from __future__ import annotations

import json
import select
import socket
import time
from typing import Any


class QMPError(RuntimeError):
    """qemu answered with an error, closed the monitor, or did not answer in time."""


class QMPClient:
    def __init__(self, sock: socket.socket, timeout_s: float = 10.0) -> None:
        self.sock = sock
        self.timeout_s = timeout_s
        self.buffer = b""
        self.events: list[dict[str, Any]] = []

    def handshake(self, deadline: float | None = None) -> dict[str, Any]:
        """Reads the greeting and leaves capabilities negotiation mode."""
        greeting = self._read_message(self._deadline(deadline))
        if "QMP" not in greeting:
            raise QMPError(f"not a QMP greeting: {greeting!r}")
        self.execute("qmp_capabilities", deadline=deadline)
        return greeting

    def execute(
        self, command: str, arguments: dict[str, Any] | None = None, deadline: float | None = None
    ) -> Any:
        """Runs one command and returns its "return" value; raises QMPError on "error"."""
        message: dict[str, Any] = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        self.sock.sendall(json.dumps(message).encode() + b"\n")
        end = self._deadline(deadline)
        while True:
            reply = self._read_message(end)
            if "event" in reply:
                self.events.append(reply)
            elif "error" in reply:
                error = reply["error"]
                raise QMPError(f"{command}: {error.get('class')}: {error.get('desc')}")
            elif "return" in reply:
                return reply["return"]

    def wait_event(self, name: str, deadline: float | None = None, **data: Any) -> dict[str, Any]:
        """The first event called name whose data holds the given key=value pairs."""
        end = self._deadline(deadline)
        while True:
            for index, event in enumerate(self.events):
                if event.get("event") == name and _matches(event.get("data") or {}, data):
                    return self.events.pop(index)
            reply = self._read_message(end)
            if "event" in reply:
                self.events.append(reply)

    def _deadline(self, deadline: float | None) -> float:
        return time.monotonic() + self.timeout_s if deadline is None else deadline

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QMPError("qemu did not answer on QMP in time")
            readable, _, _ = select.select([self.sock], [], [], remaining)
            if not readable:
                continue
            try:
                chunk = self.sock.recv(65536)
            except OSError as error:
                raise QMPError(f"qemu's QMP monitor failed: {error}") from error
            if not chunk:
                raise QMPError("qemu closed its QMP monitor")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError as error:
            raise QMPError(f"bad QMP message {line[:200]!r}") from error
        if not isinstance(message, dict):
            raise QMPError(f"bad QMP message {line[:200]!r}")
        return message


def _matches(data: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(data.get(key) == value for key, value in wanted.items())
