"""The cohort server as a JupyterHub service: who a hub user is, as the hub says.

On a JupyterHub the server runs as the hub-managed service ``peerkit`` (see
``docs/jupyterhub.md``). A learner's kernel then needs no token of ours to be
recognised: it sends its own ``JUPYTERHUB_API_TOKEN`` as ``Authorization: token …``
and the server asks the hub whose it is (:class:`jupyterhub.services.auth.HubAuth`,
which caches the hub's answer for a few minutes). The hub grants that token
``access:services!service=peerkit`` (``c.Spawner.server_token_scopes`` and a user
role); a token without it is refused here, whoever holds it.

A hub user is a *trainer* when they are in the hub group ``peerkit-trainers`` or
their token holds the custom scope ``custom:peerkit:trainer``; every other hub user
is a learner, who joins a cohort with its code exactly as anywhere else. Groups
are read from the user model the hub returns; when the token may not read its own
groups, the server asks with its own service token (the service role needs
``read:users:groups``).

>>> hub_token("token 0123abcd"), hub_token("Bearer pkl_ours"), hub_token("Bearer 0123abcd")
('0123abcd', None, '0123abcd')
>>> HubUser("ana", frozenset({"peerkit-trainers"}), frozenset()).is_trainer
True
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool

from .problems import Problem
from .tokens import Principal, hub_trainer


#: The service's name in the hub's configuration (``c.JupyterHub.services``).
SERVICE_NAME = "peerkit"
#: Hub users in this group are trainers.
TRAINER_GROUP = "peerkit-trainers"
#: ... and so is any hub user whose token holds this custom scope.
TRAINER_SCOPE = "custom:peerkit:trainer"
#: Tokens of our own (learner, trainer) are ours to check, never the hub's.
OWN_TOKEN_PREFIXES = ("pkl_", "pkt_")
_AUTHORIZATION = re.compile(r"^\s*(token|bearer)\s+(\S+)\s*$", re.IGNORECASE)


class HubRefused(Exception):
    """The hub does not vouch for this token (401) or the token may not use this service (403)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class HubUser:
    """A hub user as the hub described them for one token."""

    name: str
    groups: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    trainer_group: str = TRAINER_GROUP
    trainer_scope: str = TRAINER_SCOPE

    @property
    def is_trainer(self) -> bool:
        return self.trainer_group in self.groups or self.trainer_scope in self.scopes


class _UserLookup(Protocol):
    async def __call__(self, token: str) -> Mapping[str, Any] | None: ...


def running_as_hub_service(environ: Mapping[str, str] = os.environ) -> bool:
    """True when a JupyterHub started this process as a service (it sets these variables)."""
    return bool(environ.get("JUPYTERHUB_SERVICE_NAME") and environ.get("JUPYTERHUB_API_TOKEN")
                and environ.get("JUPYTERHUB_API_URL"))


def service_prefix(environ: Mapping[str, str] = os.environ) -> str:
    """The path the hub's proxy forwards to this service, e.g. ``/services/peerkit/`` (``/`` outside a hub)."""
    prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX", "") or "/"
    return "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"


def hub_token(authorization: str | None) -> str | None:
    """The hub token in an ``Authorization`` header, or None when there is none or it is one of ours."""
    match = _AUTHORIZATION.match(authorization or "")
    if not match:
        return None
    token = match.group(2)
    if token.startswith(OWN_TOKEN_PREFIXES):
        return None
    return token


class HubIdentity:
    """Asks the hub who holds a token, and whether they are a trainer.

    ``lookup`` defaults to ``HubAuth.user_for_token`` configured from the environment
    the hub gives its services (``JUPYTERHUB_API_TOKEN``, ``JUPYTERHUB_API_URL``,
    ``JUPYTERHUB_SERVICE_NAME``); tests pass their own.
    """

    def __init__(self, *, lookup: _UserLookup | None = None, access_scopes: set[str] | None = None,
                 trainer_group: str = TRAINER_GROUP, trainer_scope: str = TRAINER_SCOPE,
                 groups_cache_seconds: float = 60.0, groups_lookup: Any = None) -> None:
        self._hub_auth = None
        self._groups_lookup = groups_lookup
        if lookup is None:
            from jupyterhub.services.auth import HubAuth

            # cache_max_age: a token the hub vouched for is not asked about again for a minute
            self._hub_auth = HubAuth(cache_max_age=60)
            lookup = self._ask_hub
            if access_scopes is None:
                access_scopes = set(self._hub_auth.access_scopes)
        self._lookup = lookup
        self.access_scopes = access_scopes or {f"access:services!service={SERVICE_NAME}"}
        self.trainer_group = trainer_group
        self.trainer_scope = trainer_scope
        self._groups_cache_seconds = groups_cache_seconds
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}

    async def _ask_hub(self, token: str) -> Mapping[str, Any] | None:
        return await self._hub_auth.user_for_token(token, sync=False)

    async def user(self, token: str) -> HubUser:
        """The hub user holding ``token``; :class:`HubRefused` if the hub does not vouch for it."""
        from jupyterhub.services.auth import check_scopes

        model = await self._lookup(token)
        if not model or model.get("kind", "user") != "user" or not model.get("name"):
            raise HubRefused(401, "The hub does not recognise this token. Sign in to the hub again.")
        scopes = frozenset(model.get("scopes") or ())
        if not check_scopes(self.access_scopes, set(scopes)):
            raise HubRefused(403, "This hub token may not use the peerkit service. Ask the hub's admin to add "
                                  f"{sorted(self.access_scopes)[0]} to the users' role and to "
                                  "c.Spawner.server_token_scopes.")
        name = str(model["name"])
        groups = model.get("groups")
        groups = frozenset(groups) if groups is not None else await self._groups_of(name)
        return HubUser(name, groups, scopes, self.trainer_group, self.trainer_scope)

    async def still_trainer(self, name: str) -> bool:
        """Asked afresh (no cache): is hub user ``name`` still in the trainers' group? For browser sessions."""
        return self.trainer_group in await self._groups_of(name, fresh=True)

    async def _groups_of(self, name: str, fresh: bool = False) -> frozenset[str]:
        """The user's groups, asked with the service's own token (the token in hand may not read them)."""
        cached = self._groups.get(name)
        if not fresh and cached and time.monotonic() - cached[0] < self._groups_cache_seconds:
            return cached[1]
        groups: frozenset[str] = frozenset()
        if self._groups_lookup is not None:
            groups = frozenset(await self._groups_lookup(name))
        elif self._hub_auth is not None:
            from urllib.parse import quote

            from jupyterhub.utils import url_path_join

            url = url_path_join(self._hub_auth.api_url, "users", quote(name, safe=""))
            # allow_403: a service without read:users:groups sees no groups, so no trainers by group
            model = await self._hub_auth._api_request("GET", url, allow_403=True)
            groups = frozenset((model or {}).get("groups") or ())
        self._groups[name] = (time.monotonic(), groups)
        return groups


# -- the server's side -------------------------------------------------------------------------

def _problem(status: int, detail: str) -> Problem:
    if status == 401:
        return Problem(401, "hub-token-refused", "Not signed in to the hub", detail,
                       headers={"WWW-Authenticate": "token"})
    return Problem(403, "trainers-only" if "trainer" in detail else "hub-scope-missing",
                   "Trainers only" if "trainer" in detail else "Not allowed by the hub", detail)


def identity_for(app: Any) -> HubIdentity:
    """The app's :class:`HubIdentity` (one per worker, made on first use: it holds the hub's answers cache)."""
    identity = getattr(app.state, "hub_identity", None)
    if identity is None:
        identity = app.state.hub_identity = HubIdentity()
    return identity


async def hub_principal(request: Any) -> Principal | None:
    """The trainer :class:`~peerkit.server.tokens.Principal` of the hub user whose token the request carries.

    The hub's authenticator: on a hub, :func:`peerkit.server.app.create_app` appends it to
    the app's authenticators (:data:`peerkit.server.auth.AUTHENTICATORS`), so
    :func:`peerkit.server.auth.current_principal` asks it about a request without a
    token of ours. A token the hub does not vouch for is a 401; a token
    without ``access:services!service=peerkit`` is a 403; a hub user who is no
    trainer is a 403 too, with the words a learner needs (join with a code, then use
    the learner token the join returns). Returns ``None`` when there is no hub token.
    """
    token = hub_token(request.headers.get("authorization"))
    if token is None:
        return None
    try:
        user = await identity_for(request.app).user(token)
    except HubRefused as refused:
        raise _problem(refused.status, refused.detail) from None
    if not user.is_trainer:
        raise _problem(403, f"Your hub account ({user.name}) is not a peerkit trainer (the hub group "
                            f"{TRAINER_GROUP}). To take part, join a cohort with its code: the join gives you a "
                            "learner token for your answers.")
    return await run_in_threadpool(hub_trainer, request.app.state.engine, user.name)


async def hub_member(request: Any) -> str | None:
    """The hub name of whoever's hub token a join carries (trainer or learner), or ``None`` without one.

    On a hub every join must carry it (the kernel sends ``JUPYTERHUB_API_TOKEN``): one membership per hub
    user per cohort, and the join brake counts per hub user (:func:`peerkit.server.joining.join`).
    """
    token = hub_token(request.headers.get("authorization"))
    if token is None:
        return None
    try:
        return (await identity_for(request.app).user(token)).name
    except HubRefused as refused:
        raise _problem(refused.status, refused.detail) from None


class ServicePrefix:
    """ASGI wrapper: requests arriving through the hub's proxy at ``/services/peerkit/…`` are routed as ``/…``.

    It sets the ASGI ``root_path`` (Starlette routes on the path after it), so links
    the pages build with ``url_for`` keep the prefix. Requests made straight to the
    service's own address (the hub's health check) are routed unchanged.
    """

    def __init__(self, app: Any, prefix: str) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and self.prefix:
            path = scope.get("path", "")
            if path == self.prefix or path.startswith(self.prefix + "/"):
                scope = dict(scope, root_path=scope.get("root_path", "") + self.prefix)
        await self.app(scope, receive, send)


def install(app: Any) -> None:
    """Called by :func:`peerkit.server.app.create_app` on a hub: route under the service's prefix; browser
    sessions of hub trainers are re-checked against the hub's groups (``app.state.hub_recheck``)."""

    async def recheck(name: str) -> bool:
        try:
            return await identity_for(app).still_trainer(name)
        except Exception:  # the hub cannot be asked: the session is not trusted on
            return False

    app.state.hub_recheck = recheck
    app.state.hub_member = hub_member
    if service_prefix() != "/":
        app.add_middleware(ServicePrefix, prefix=service_prefix())


def main() -> None:
    """``python -m peerkit.server.hub``: the command a hub runs for the service (``docs/jupyterhub.md``).

    Listens where the hub expects the service (``JUPYTERHUB_SERVICE_URL``), with hub
    tokens accepted (``PEERKIT_SERVER_HUB``); ``PEERKIT_SERVER_WORKERS`` workers
    (default 1: with SQLite; more need ``PEERKIT_SERVER_DB=postgresql+psycopg://…``).
    """
    from urllib.parse import urlparse

    import uvicorn

    if not running_as_hub_service():
        raise SystemExit("python -m peerkit.server.hub is started by JupyterHub as its 'peerkit' service "
                         "(see docs/jupyterhub.md); outside a hub run `peerkit serve`.")
    address = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL") or "http://127.0.0.1:10101")
    os.environ["PEERKIT_SERVER_HUB"] = "1"
    workers = int(os.environ.get("PEERKIT_SERVER_WORKERS", "1") or 1)
    from .serving import uvicorn_options

    # the hub's proxy is the only way in; joins are braked per hub user, so no address is trusted by default
    trusted = os.environ.get("PEERKIT_SERVER_FORWARDED_ALLOW_IPS", "")
    uvicorn.run("peerkit.server.app:app_from_env", factory=True, host=address.hostname or "127.0.0.1",
                port=address.port or 80, workers=workers, log_level="info", **uvicorn_options(trusted))


if __name__ == "__main__":
    main()
