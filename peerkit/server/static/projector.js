// The projector page's live part: on each `revision` event of the cohort's stream, fetch the
// server-rendered (Jinja2-escaped) HTML of the live part and put it in place. No learner text
// passes through this script as anything but server-escaped HTML.
(function () {
  "use strict";
  // the session's CSRF token: cookie-signed requests count only with it (only this server's pages know it)
  const csrf = (document.querySelector('meta[name="peerkit-csrf"]') || {}).content || "";
  const main = document.getElementById("main");
  const live = document.getElementById("live");
  const connection = document.getElementById("connection");
  if (!main || !live) return;
  let shown = Number(main.dataset.revision || 0);
  let wanted = shown;
  let fetching = false;
  let pendingFocus = "";  // the id to give focus back to after the next redraw

  function say(text) { if (connection.textContent !== text) connection.textContent = text; }

  async function refresh() {
    if (fetching) return;
    fetching = true;
    try {
      while (wanted > shown) {
        const target = wanted;
        const reply = await fetch(main.dataset.live, {credentials: "same-origin", cache: "no-store", headers: {"X-Peerkit-CSRF": csrf}});
        if (!reply.ok) { say("Live updates paused: " + reply.status + ". Reload the page or sign in again."); return; }
        const html = await reply.text();
        const holder = document.createElement("template");
        holder.innerHTML = html;  // server-rendered with autoescape; a <template> runs nothing
        const part = holder.content.querySelector(".live-part");
        const revision = part ? Number(part.dataset.revision) : target;
        const focused = pendingFocus ||
          (document.activeElement && live.contains(document.activeElement) ? document.activeElement.id : "");
        pendingFocus = "";
        const openDetails = [...live.querySelectorAll("details[open]")].map((d) => d.className);
        live.replaceChildren(holder.content);
        openDetails.forEach((name) => { const d = live.querySelector("details." + name); if (d) d.open = true; });
        if (focused) {
          // the same control if it is still there; else (a text just hidden) the texts' heading
          const again = document.getElementById(focused) || document.getElementById("texts-title") || main;
          again.focus();
        }
        shown = Math.max(shown, revision);
        if (revision < target) await new Promise((r) => setTimeout(r, 50));  // not visible yet: ask again
        main.dataset.revision = String(shown);
        window.__peerkitRevision = shown;
      }
    } catch (error) {
      say("Live updates paused: the server cannot be reached. Retrying…");
    } finally {
      fetching = false;
    }
  }

  function listen() {
    const source = new EventSource(main.dataset.events, {withCredentials: true});
    source.addEventListener("open", () => say("Live updates: on"));
    source.addEventListener("revision", (event) => {
      const data = JSON.parse(event.data);
      window.__peerkitEvents = (window.__peerkitEvents || 0) + 1;
      if (data.revision > wanted) { wanted = data.revision; refresh(); }
    });
    source.addEventListener("gone", () => { say("This cohort was deleted."); source.close(); });
    source.addEventListener("error", () => say("Live updates: reconnecting…"));
  }

  live.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-text]");
    if (!button) return;
    pendingFocus = button.id;
    button.setAttribute("aria-disabled", "true");
    const url = main.dataset.base + "projector/" + main.dataset.cohort + "/texts/" + button.dataset.text + "/" +
      button.dataset.action;
    const reply = await fetch(url, {method: "POST", credentials: "same-origin", headers: {"X-Peerkit-Page": "1", "X-Peerkit-CSRF": csrf}});
    if (!reply.ok) { button.removeAttribute("aria-disabled"); pendingFocus = ""; say("Could not change that text (" + reply.status + ")."); return; }
    say(button.dataset.action === "hide" ? "Text hidden from the projector." : "Text shown again.");
    wanted = Math.max(wanted, shown + 1);
    refresh();
  });

  window.__peerkitRevision = shown;
  listen();
})();
