"""Settings + an object file -> the sandbox Job of a free-form run."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings

from labs.playground.settings import LOAD_LOG_LEVEL, PACKET_HOOKS, TRACE_WAIT_MS, PlaygroundSettings


def build_job(cfg: PlaygroundSettings, obj: bytes) -> Any:
    """The sandbox Job: load, seeds, then test runs (packet hooks), attach + trigger
    (tracing hooks) or attach + a live loop, and a dump of every map the object defines."""
    from sandbox.job import Job, RunLimits
    from sandbox.objinfo import map_names

    ops: list[dict[str, Any]] = [{"op": "load", "id": "load", "log_level": LOAD_LOG_LEVEL}]
    for index, seed in enumerate(cfg.seeds):
        ops.append({"op": "map_update", "id": f"seed:{index}", "flags": 0, **seed})
    maps = map_names(obj)
    if cfg.is_live:
        ops += _live_ops(cfg, maps)
    elif cfg.hook in PACKET_HOOKS:
        for index, frame in enumerate(cfg.frames):
            ops.append(
                {
                    "op": "test_run",
                    "id": f"packet:{index}",
                    "program": None,
                    "data": frame.hex(),
                    "repeat": cfg.repeat,
                }
            )
    else:
        ops.append({"op": "attach", "id": "attach", "program": None, "target": None})
        ops.append({"op": "trigger", "id": "trigger", "argv": cfg.trigger, "timeout_ms": 5000})
        ops.append({"op": "trace", "id": "trace", "wait_ms": TRACE_WAIT_MS})
    ops += [{"op": "map_dump", "id": f"map:{name}", "map": name} for name in maps]
    limits = RunLimits(wall_s=django_settings.RUN_WALL_S)
    if cfg.is_live:
        assert cfg.live is not None
        limits.wall_s = cfg.live["seconds"] + django_settings.RUN_WALL_S
        limits.max_trace_lines = 5000
    return Job(object=obj, ops=ops, limits=limits)


def _live_ops(cfg: PlaygroundSettings, maps: list[str]) -> list[dict[str, Any]]:
    assert cfg.live is not None
    live: dict[str, Any] = {
        "op": "live",
        "id": "live",
        "duration_ms": cfg.live["seconds"] * 1000,
        "interval_ms": 1000,
        "maps": maps,
    }
    if cfg.hook in PACKET_HOOKS:
        live.update(packets=[frame.hex() for frame in cfg.frames], rate=cfg.live["rate"])
    else:
        live.update(argv=cfg.trigger, every_ms=cfg.live["every_ms"], timeout_ms=5000)
    return [{"op": "attach", "id": "attach", "program": None, "target": None}, live]
