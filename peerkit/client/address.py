"""Where the cohort server is, as a learner's kernel can know it.

In order:

1. the address the learner typed (their trainer gave it to them);
2. ``PEERKIT_SERVER`` (set by whoever runs the course machine or the hub);
3. in a JupyterHub (``JUPYTERHUB_API_URL`` is set) with a public URL configured, the hub's
   ``peerkit`` service: ``JUPYTERHUB_PUBLIC_HUB_URL``'s site + base URL + ``services/peerkit``.
   (``docs/jupyterhub.md`` has the hub admin set ``PEERKIT_SERVER`` for every kernel, which
   comes first.)

Only a hub-found address gets the kernel's ``JUPYTERHUB_API_TOKEN``: we never send
the hub token to an address someone typed.

>>> server_address(None, environ={"PEERKIT_SERVER": "http://10.0.0.5:8000/"}).url
'http://10.0.0.5:8000'
>>> server_address(None, environ={}) is None
True
"""
from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from .http import normalize_address

SERVER_ENV = "PEERKIT_SERVER"
HUB_SERVICE = "peerkit"


@dataclass(frozen=True)
class ServerAddress:
    """A server address and whether it is the hub's own service (then the hub token may go to it)."""

    url: str
    via_hub: bool = False

    def hub_auth_header(self, environ: Mapping[str, str] | None = None) -> str | None:
        env = os.environ if environ is None else environ
        token = env.get("JUPYTERHUB_API_TOKEN", "").strip()
        return f"token {token}" if self.via_hub and token else None


def in_jupyterhub(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return bool(env.get("JUPYTERHUB_API_URL", "").strip())


def hub_service_address(environ: Mapping[str, str] | None = None) -> str | None:
    """The hub's ``peerkit`` service address, from the variables a JupyterHub gives every kernel."""
    env = os.environ if environ is None else environ
    if not in_jupyterhub(env):
        return None
    base = env.get("JUPYTERHUB_BASE_URL", "/") or "/"
    public_hub = env.get("JUPYTERHUB_PUBLIC_HUB_URL", "").strip()
    if not public_hub:
        return None  # the hub API's own host is not the proxy: better to ask than to guess wrong
    parts = urllib.parse.urlsplit(public_hub)
    site = f"{parts.scheme}://{parts.netloc}"
    path = "/" + base.strip("/") + "/services/" + HUB_SERVICE if base.strip("/") else "/services/" + HUB_SERVICE
    return site + path


def server_address(typed: str | None, environ: Mapping[str, str] | None = None) -> ServerAddress | None:
    """The server to use, or ``None`` when nobody said where it is. ``ValueError`` for a mistyped address."""
    env = os.environ if environ is None else environ
    if typed and typed.strip():
        return ServerAddress(normalize_address(typed))
    configured = env.get(SERVER_ENV, "").strip()
    if configured:
        return ServerAddress(normalize_address(configured))
    hub = hub_service_address(env)
    return ServerAddress(normalize_address(hub), via_hub=True) if hub else None
