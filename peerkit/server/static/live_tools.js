// The live tools on the projector page and the trainer console: the part shown is fetched as
// server-rendered (Jinja2-escaped) HTML on every revision of the cohort's event stream; the forms and
// buttons call the trainer API with the sign-in cookie and the page header. The countdown counts down
// locally from the server's seconds left; the screen reader hears it only at whole minutes, 30 s, 10 s
// and the end (an aria-live region that does not chatter every second).
(function () {
  "use strict";
  // the session's CSRF token: cookie-signed requests count only with it (only this server's pages know it)
  const csrf = (document.querySelector('meta[name="peerkit-csrf"]') || {}).content || "";
  const root = document.querySelector(".live-tools");
  if (!root) return;
  const part = document.getElementById("live-tools-part");
  const status = document.getElementById("tools-status");
  const announce = document.getElementById("timer-announce");
  let shown = -1, wanted = 0, fetching = false, endsAt = null, lastSaid = "", startLeft = 0;

  function say(text) { status.textContent = text; }

  function clock(seconds) { return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0"); }

  function speak(text) { if (text !== lastSaid) { lastSaid = text; announce.textContent = text; } }

  function spoken(left) {
    if (left <= 0) return "Time is up.";
    if (left === 10 || left === 30) return left + " seconds left.";
    if (left % 60 === 0) return (left / 60) + (left === 60 ? " minute left." : " minutes left.");
    return null;
  }

  function armTimer() {
    const shownClock = part.querySelector(".timer-clock[data-seconds-left]");
    if (!shownClock) { endsAt = null; return; }
    const left = Number(shownClock.dataset.secondsLeft);
    const newEnd = Date.now() + left * 1000;
    // a redraw of the same timer keeps the same end (within a second): no new announcement
    if (endsAt === null || Math.abs(newEnd - endsAt) > 1500) {
      endsAt = newEnd;
      startLeft = left;
      speak(left > 0 ? "Timer started: " + clock(left) + " left." : "Time is up.");
    }
    tick();
  }

  function tick() {
    if (endsAt === null) return;
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    part.querySelectorAll(".timer-clock[data-seconds-left]").forEach((el) => {
      el.textContent = clock(left);
      el.classList.toggle("finished", left === 0);
    });
    const words = left < startLeft ? spoken(left) : null;  // the start was just announced
    if (words) speak(words);
  }
  setInterval(tick, 1000);

  async function refresh() {
    if (fetching) return;
    fetching = true;
    try {
      while (wanted > shown) {
        const target = wanted;
        const reply = await fetch(root.dataset.toolsUrl, {credentials: "same-origin", cache: "no-store", headers: {"X-Peerkit-CSRF": csrf}});
        if (!reply.ok) { say("Could not load the live tools (" + reply.status + ")."); return; }
        const holder = document.createElement("template");
        holder.innerHTML = await reply.text();  // server-rendered with autoescape; a <template> runs nothing
        const fresh = holder.content.querySelector(".tools-part");
        const revision = fresh ? Number(fresh.dataset.revision) : target;
        const focused = document.activeElement && part.contains(document.activeElement) ? document.activeElement.id : "";
        part.replaceChildren(holder.content);
        if (focused) (document.getElementById(focused) || part.querySelector("h2") || root).focus?.();
        shown = Math.max(shown, revision);
        window.__peerkitToolsRevision = shown;
        armTimer();
        if (revision < target) await new Promise((r) => setTimeout(r, 50));
        if (shown < target) shown = target;  // never loop on a revision the page cannot see
      }
    } catch (error) {
      say("Live tools paused: the server cannot be reached. Retrying…");
    } finally {
      fetching = false;
    }
  }

  async function call(method, path, body) {
    const reply = await fetch(root.dataset.api + path, {
      method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-Peerkit-Page": "1", "X-Peerkit-CSRF": csrf},
      body: body === undefined ? undefined : JSON.stringify(body)});
    let data = null;
    try { data = await reply.json(); } catch (error) { data = null; }
    if (!reply.ok) { say((data && data.detail) || ("That did not work (" + reply.status + ").")); return null; }
    wanted = Math.max(wanted, shown + 1);
    refresh();
    return data || {};
  }

  function formBody(form) {
    const data = new FormData(form);
    if (form.dataset.kind === "poll") {
      const kind = data.get("kind");
      const body = {kind, question: data.get("question")};
      if (kind === "single" || kind === "multiple") {
        body.options = String(data.get("options") || "").split("\n").map((s) => s.trim()).filter(Boolean);
      }
      return body;
    }
    if (data.has("locked")) return {locked: data.get("locked") === "true"};
    if (data.has("place")) {
      const [chapter, exercise] = String(data.get("place")).split("|");
      return {chapter, exercise: exercise || null};
    }
    if (data.has("minutes")) {
      return {seconds: Math.round(Number(data.get("minutes")) * 60), activity: data.get("activity") || null};
    }
    return Object.fromEntries(data.entries());
  }

  root.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.tool-form");
    if (!form) return;
    event.preventDefault();
    if (form.dataset.delete) {
      const pseudonym = String(new FormData(form).get("pseudonym") || "").trim();
      const gone = await call("DELETE", form.dataset.delete + encodeURIComponent(pseudonym));
      if (gone) { say("Removed " + pseudonym + " and " + (gone.removed || 0) + " answer(s)."); form.reset(); }
      return;
    }
    const method = form.dataset.put ? "PUT" : "POST";
    const done = await call(method, form.dataset.put || form.dataset.post, formBody(form));
    if (done && form.dataset.put === "joining") { window.location.reload(); return; }  // the button turns round
    if (done) {
      say({polls: "Poll asked: learners see it now.", wall: "Wall opened: learners can post now.",
           "session/place": "Everyone can follow you there now.", "session/timer": "Timer started.",
           joining: (done.joining_locked ? "Joining is locked: nobody new can join." : "Joining is open again.")}[
        form.dataset.put || form.dataset.post] || "Done.");
      if (form.dataset.kind === "poll" || form.dataset.post === "wall") form.reset();
    }
  });

  root.addEventListener("change", (event) => {
    // choosing an activity suggests its time
    if (event.target.id === "timer-activity") {
      const chosen = event.target.selectedOptions[0];
      const minutes = document.getElementById("timer-minutes");
      if (chosen && chosen.dataset.minutes && minutes) minutes.value = chosen.dataset.minutes;
    }
  });

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action], button[data-delete], button[data-put]");
    if (!button) return;
    if (button.getAttribute("aria-disabled") === "true") {
      say("Not yet: the results can be shown once enough people answered.");
      return;
    }
    // a body from the page's own attributes (never learner text): the screen to show, or a chart to step to
    let body = button.dataset.body ? JSON.parse(button.dataset.body) : undefined;
    if (button.dataset.exercise) body = {screen: "chart", exercise: button.dataset.exercise, page: 0};
    let done;
    if (button.dataset.put) done = await call("PUT", button.dataset.put, body);
    else if (button.dataset.action) done = await call("POST", button.dataset.action, body);
    else done = await call("DELETE", button.dataset.delete);
    if (done) say("Done: " + button.textContent.trim() + ".");
  });

  function listen() {
    const source = new EventSource(root.dataset.events, {withCredentials: true});
    source.addEventListener("revision", (event) => {
      const data = JSON.parse(event.data);
      if (data.revision > wanted) { wanted = data.revision; refresh(); }
    });
  }

  const initial = part.querySelector(".tools-part");
  if (initial) { shown = Number(initial.dataset.revision); armTimer(); }
  wanted = Math.max(shown, 0);
  if (!initial) { wanted = 1; shown = 0; refresh(); }
  window.__peerkitToolsRevision = shown;
  listen();
})();
