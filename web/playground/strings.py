"""The words the playground's panel adds to the run panel's, translated on the server."""

from __future__ import annotations

from django.utils.translation import gettext as _


def playground_strings() -> dict[str, str]:
    return {
        "packets": _("Packets"),
        "packet": _("Packet %(n)s"),
        "action": _("Return value"),
        "bytes_in": _("Bytes in"),
        "bytes_out": _("Bytes out"),
        "unchanged": _("The program did not change the packet."),
        "changed": _("The program changed %(n)s bytes (marked)."),
        "ran": _("Ran"),
        "rejected": _("Rejected"),
        "live": _("Live"),
        "live_progress": _("%(seconds)s s: %(sent)s packets sent, %(triggers)s triggers run"),
        "live_stopped_limit": _("Stopped at the time limit."),
        "live_stopped_stop": _("Stopped by you."),
        "stop": _("Stop"),
        "stopping": _("Stopping…"),
        "records": _("Ring buffer records"),
        "dropped": _("%(n)s more lines this second were not shown."),
    }
