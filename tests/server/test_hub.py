"""peerkit as a JupyterHub service, on a real hub (see :mod:`tests.support.hub`): the configuration of docs/jupyterhub.md.

A trainer (hub group ``peerkit-trainers``) creates a cohort from their kernel with
their hub token; a learner's kernel finds the service as ``pk.join_cohort()`` does,
joins with the code and its hub token, and sends an answer through the hub's
proxy, which the trainer then sees; the learner's hub token is refused every
trainer view (403); a hub token without ``access:services!service=peerkit`` is
refused (403) and a made-up one is not recognised (401).

The last test runs on a hub that spawns REAL ``jupyterhub-singleuser`` servers with real kernels (code sent
over the kernel's websocket, as JupyterLab does): ``pk.live_session()`` signs the trainer in with the kernel's
hub identity and creates a cohort, a learner joins with only the code and sends an answer, and the learner is
refused every trainer view.
"""
from __future__ import annotations

import json
import secrets

import pytest

from tests.support.server import pseudonym

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def people(hub):
    for name in ("trainer", "alice"):
        hub.add_user(name)
    hub.add_user("bob", start=False)
    return hub


def test_trainer_and_learner_kernels_through_the_hub(people) -> None:
    hub = people
    # the trainer's kernel: create a cohort with nothing but its hub token
    made, listed = hub.run_kernel("trainer", [
        {"method": "POST", "path": "/api/v1/cohorts", "body": {"name": "Hub group"}},
        {"path": "/api/v1/cohorts"},
    ])
    assert made["status"] == 201, (made, hub.log_tail())
    cohort = made["body"]
    assert listed["status"] == 200 and cohort["id"] in json.dumps(listed["body"])

    # the learner's kernel: no trainer view; join with the code; send an answer
    steps = [
        {"path": "/api/v1/cohorts"},
        {"path": f"/api/v1/cohorts/{cohort['id']}"},
        {"path": f"/api/v1/cohorts/{cohort['id']}/events"},
        {"method": "POST", "path": "/api/v1/cohorts", "body": {"name": "mine"}},
        {"method": "POST", "path": "/api/v1/join", "body": {"code": cohort["join_code"], "pseudonym": pseudonym()},
         "save": ["token"]},
        {"method": "POST", "path": "/api/v1/me/answers", "auth": "learner",
         "body": {"answers": [{"seq": 1, "exercise": "boundaries", "item": "B01", "value": "maybe"}]}},
        {"path": "/api/v1/me", "auth": "learner"},
    ]
    cohorts, one, events, create, joined, sent, me = hub.run_kernel("alice", steps)
    for refused in (cohorts, one, events, create):
        assert refused["status"] == 403, refused
        assert "not a peerkit trainer" in refused["body"]["detail"], refused
    assert joined["status"] == 201, joined
    assert sent["status"] == 200 and sent["body"]["accepted"] == [1], sent
    assert me["status"] == 200 and me["body"]["answers"] == 1, me

    # the trainer sees the learner's answer arrive
    (seen,) = hub.run_kernel("trainer", [{"path": f"/api/v1/cohorts/{cohort['id']}"}])
    assert seen["status"] == 200 and seen["body"]["members"] == 1 and seen["body"]["answers"] == 1, seen


def test_a_hub_token_without_the_service_scope_is_refused(people) -> None:
    hub = people
    status, token = hub.request("POST", "/users/bob/tokens", {"scopes": ["read:users:name!user"],
                                                              "note": "no peerkit"})
    assert status == 201, token
    status, body = hub.request("GET", "/services/peerkit/api/v1/cohorts", token=token["token"], base=hub.url)
    assert status == 403, body
    assert "may not use the peerkit service" in body["detail"]


def test_a_made_up_hub_token_is_not_recognised(people) -> None:
    status, body = people.request("GET", "/services/peerkit/api/v1/cohorts", token=secrets.token_hex(16),
                                  base=people.url)
    assert status == 401, body
    assert body["status"] == 401 and "hub" in body["detail"]


def test_the_trainer_token_scope_comes_from_the_group(people) -> None:
    """A trainer's kernel token carries custom:peerkit:trainer (server_token_scopes ∩ what they hold); alice's not."""
    hub = people
    for name, expected in (("trainer", True), ("alice", False)):
        (me,) = hub.run_kernel(name, [{"path": "/user", "hub_api": True}])  # the hub's own view of the token
        assert me["status"] == 200, me
        assert ("custom:peerkit:trainer" in me["body"]["scopes"]) is expected, me["body"]["scopes"]
        assert "access:services!service=peerkit" in me["body"]["scopes"]


def test_a_hub_trainer_opens_the_projector_page_through_the_hub(people) -> None:
    hub = people
    made, link = hub.run_kernel("trainer", [
        {"method": "POST", "path": "/api/v1/cohorts", "body": {"name": "Projected <b>group</b>"}},
        {"method": "POST", "path": "/api/v1/hub/sign-in-link"},
    ])
    assert link["status"] == 200, link
    sign_in = link["body"]["sign_in"]
    assert sign_in.startswith(f"{hub.url}/services/peerkit/sign-in#code=pkc_"), sign_in
    import httpx

    code = sign_in.split("#code=", 1)[1].split("&", 1)[0]
    with httpx.Client(follow_redirects=True, timeout=20) as browser:
        # what the sign-in page's script does with the link's fragment: POST the code from the page
        assert browser.get(sign_in.split("#", 1)[0]).status_code == 200
        page = browser.post(f"{hub.url}/services/peerkit/sign-in", data={"code": code, "next": "projector"})
        assert page.status_code == 200 and str(page.url) == f"{hub.url}/services/peerkit/projector", page.url
        again = browser.post(f"{hub.url}/services/peerkit/sign-in", data={"code": code})
        assert again.status_code == 401  # a code works once
        projector = browser.get(f"{hub.url}/services/peerkit/projector/{made['body']['id']}")
        assert projector.status_code == 200
        assert made["body"]["join_code"] in projector.text
        assert "Projected &lt;b&gt;group&lt;/b&gt;" in projector.text
        assert 'src="/services/peerkit/static/room.js"' in projector.text  # links keep the hub's prefix
        assert browser.get(f"{hub.url}/services/peerkit/static/room.js").status_code == 200
    with httpx.Client(timeout=20) as stranger:  # the sign-in page explains the hub way, not `peerkit serve`
        page = stranger.get(f"{hub.url}/services/peerkit/sign-in")
        assert "pk.live_session()" in page.text and "terminal" in page.text and "hub/sign-in-link" in page.text
        assert "peerkit serve</code> printed" not in page.text
    (refused,) = hub.run_kernel("alice", [{"method": "POST", "path": "/api/v1/hub/sign-in-link"}])
    assert refused["status"] == 403, refused


LEARNER_KERNEL = '''
import json
from peerkit.client.membership import join
from peerkit.client.sender import sender_for
from peerkit.client.sync import sync
from peerkit.store import LocalStore

store = LocalStore()
joined = join(store, {code!r}, share=["boundaries"])   # only the code: the kernel finds the hub's service itself
store.save("boundaries", "B01", "maybe")
sync(store)
print(json.dumps({{"cohort": joined.cohort, "sent": sender_for(store).wait_until_idle(30)}}))
'''

TRAINER_KERNEL = '''
import json
import peerkit as pk

panel = pk.live_session()        # signs in with this kernel's hub identity: nothing typed
made = panel.create_cohort("Real hub group")
print(json.dumps({"signed_in": panel.client is not None, "status": panel.status, "cohort": made}))
'''

REFUSED_KERNEL = '''
import json
from peerkit.client.address import server_address
from peerkit.client.http import ServerClient, ServerError

found = server_address(None)
client = ServerClient(found.url, auth_header=found.hub_auth_header())
seen = {}
for method, path in [("GET", "/api/v1/cohorts"), ("POST", "/api/v1/cohorts"), ("GET", "/api/v1/cohorts/{cohort}"),
                     ("GET", "/api/v1/cohorts/{cohort}/responses"), ("GET", "/api/v1/cohorts/{cohort}/texts"),
                     ("GET", "/api/v1/cohorts/{cohort}/report"), ("PUT", "/api/v1/cohorts/{cohort}/session/screen"),
                     ("POST", "/api/v1/hub/sign-in-link")]:
    try:
        client.request(method, path, {"name": "mine", "screen": "join"} if method != "GET" else None)
        seen[path] = 200
    except ServerError as error:
        seen[path] = error.status
print(json.dumps(seen))
'''


def test_real_singleuser_kernels_join_answer_and_run_a_live_session(real_hub) -> None:
    """Real ``jupyterhub-singleuser`` servers and real kernels (not a stand-in): the trainer's kernel runs
    ``pk.live_session()`` and creates a cohort with its hub identity; a learner's kernel joins with only the code
    and sends an answer, which the trainer's cohort then holds; the learner is refused every trainer view."""
    hub = real_hub
    hub.add_user("trainer")
    hub.add_user("carol")
    made = json.loads(hub.execute("trainer", TRAINER_KERNEL).strip().splitlines()[-1])
    assert made["signed_in"] and "Created Real hub group" in made["status"], made
    cohort = made["cohort"]
    assert cohort and cohort["name"] == "Real hub group"
    assert "pkt_" not in json.dumps(made)  # no trainer token anywhere the notebook could keep

    sent = json.loads(hub.execute("carol", LEARNER_KERNEL.format(code=cohort["join_code"])).strip().splitlines()[-1])
    assert sent == {"cohort": cohort["id"], "sent": True}, sent

    check = (f"import json, peerkit as pk\npanel = pk.live_session()\n"
             f"rows = panel.client.request('GET', '/api/v1/cohorts/{cohort['id']}/responses')['responses']\n"
             "print(json.dumps([(r['exercise'], r['item'], r['value']) for r in rows]))")
    assert json.loads(hub.execute("trainer", check).strip().splitlines()[-1]) == [["boundaries", "B01", "maybe"]]

    refused = json.loads(hub.execute("carol", REFUSED_KERNEL.replace("{cohort}", cohort["id"])).strip().splitlines()[-1])
    assert refused and all(status == 403 for status in refused.values()), refused
def test_one_hub_user_is_one_member_and_joins_need_the_hub_token(people) -> None:
    """Issue 19: a hub user cannot be several members of one cohort, and the hub's joins are per hub user."""
    hub = people
    made, = hub.run_kernel("trainer", [{"method": "POST", "path": "/api/v1/cohorts", "body": {"name": "One each"}}])
    code = made["body"]["join_code"]
    first, second, anonymous = hub.run_kernel("alice", [
        {"method": "POST", "path": "/api/v1/join", "body": {"code": code, "pseudonym": pseudonym()}},
        {"method": "POST", "path": "/api/v1/join", "body": {"code": code, "pseudonym": pseudonym()}},
        {"method": "POST", "path": "/api/v1/join", "body": {"code": code, "pseudonym": pseudonym()}, "auth": "none"},
    ])
    assert first["status"] == 201, first
    assert second["status"] == 409 and "hub account" in second["body"]["detail"], second
    assert anonymous["status"] == 401, anonymous
    members, = hub.run_kernel("trainer", [{"path": f"/api/v1/cohorts/{made['body']['id']}/members"}])
    assert len(members["body"]["members"]) == 1, members
