"""What the learner's own store holds about their group: the setting keys and the membership, read back.

Every module that reads these settings (the sender, the widgets, ``pk.compare``, the portfolio) takes
the keys from here, so a key is spelt once. Writing them is :mod:`peerkit.client.membership`'s job
(joining, choosing what to share, leaving).

- :data:`MEMBERSHIP_SETTING` (``"cohort"``): the :class:`Membership`; travels with a portfolio export,
  without the server address;
- :data:`CREDENTIALS_SETTING` (``"cohort_token"``): ``{"server", "token", "cohort", "via_hub"}``,
  private, never exported;
- :data:`SECRET_SETTING` (``"cohort_secret"``): the learner's pseudonym key for the file route, never sent.

>>> Membership.from_setting({"cohort": "cohort-abcdefgh", "pseudonym": "p-" + "0" * 20}).mode
'live'
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..store import LocalStore

#: Local-store setting holding the membership (travels with a portfolio, without the address).
MEMBERSHIP_SETTING = "cohort"
#: Local-store setting holding ``{"server", "token", "cohort", "via_hub"}``: private, never exported.
CREDENTIALS_SETTING = "cohort_token"
#: Local-store setting holding the learner's pseudonym key (hex). Never sent anywhere.
SECRET_SETTING = "cohort_secret"


@dataclass
class Membership:
    """The learner's membership of one cohort, as kept in their local store."""

    cohort: str
    name: str
    pseudonym: str
    mode: Literal["live", "file"]
    share: list[str]
    #: The server address (live); not carried by a portfolio export.
    url: str | None = None
    joined_at: str = ""
    #: What the learner is told after joining or changing their choices. Not stored.
    status: str = field(default="", compare=False)

    def to_setting(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("status")
        return data

    @classmethod
    def from_setting(cls, data: Any) -> "Membership | None":
        if not isinstance(data, dict) or not data.get("cohort") or not data.get("pseudonym"):
            return None
        fields = {k: data.get(k) for k in ("cohort", "name", "pseudonym", "mode", "share", "url", "joined_at")}
        fields["share"] = list(fields["share"] or [])
        fields["mode"] = fields["mode"] if fields["mode"] in ("live", "file") else "live"
        fields["name"] = fields["name"] or fields["cohort"]
        fields["joined_at"] = fields["joined_at"] or ""
        return cls(**fields)


def membership(store: "LocalStore") -> Membership | None:
    """The learner's current membership, or ``None``."""
    return Membership.from_setting(store.get_setting(MEMBERSHIP_SETTING))


def in_a_group(store: "LocalStore") -> bool:
    """Has the learner joined a group (live or file)? Cheap: one setting read."""
    return bool(store.get_setting(MEMBERSHIP_SETTING))


def credentials(store: "LocalStore") -> dict[str, Any] | None:
    """``{"server", "token", "cohort"}`` for the live membership, or ``None`` (not joined on this computer)."""
    data = store.get_setting(CREDENTIALS_SETTING)
    if isinstance(data, dict) and data.get("server") and data.get("token"):
        return data
    return None
