// The room's screen (projector page). On each `revision` event of the cohort's stream the one screen
// is fetched again as server-rendered (Jinja2-escaped) HTML and put in place; no learner text passes
// through this script as anything but that HTML. Presenter keys (listed on the help overlay, `?`)
// tell the server what to show, so every open projector page and the console agree.
(function () {
  "use strict";
  // the session's CSRF token: cookie-signed requests count only with it (only this server's pages know it)
  const csrf = (document.querySelector('meta[name="peerkit-csrf"]') || {}).content || "";
  const SCREENS = ["join", "chart", "poll", "wall", "texts", "timer", "conversation"];
  const main = document.getElementById("main");
  const live = document.getElementById("live");
  const connection = document.getElementById("connection");
  const status = document.getElementById("room-status");
  const help = document.getElementById("help");
  if (!main || !live) return;
  let shown = Number(main.dataset.revision || 0);
  let wanted = shown;
  let fetching = false;
  let endsAt = null;
  let helpReturn = null;
  let startLeft = 0, lastSaid = "";
  const announce = document.getElementById("timer-announce");

  // the screen reader hears the countdown only at whole minutes, 30 s, 10 s and the end
  function speak(text) { if (text !== lastSaid) { lastSaid = text; announce.textContent = text; } }
  function spoken(left) {
    if (left <= 0) return "Time is up.";
    if (left === 10 || left === 30) return left + " seconds left.";
    if (left % 60 === 0) return (left / 60) + (left === 60 ? " minute left." : " minutes left.");
    return null;
  }

  function say(text) { if (connection.textContent !== text) connection.textContent = text; }
  function tell(text) { status.textContent = text; }
  function current() { const part = live.querySelector(".live-part"); return part ? part.dataset.screen : "join"; }

  function clock(seconds) { return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0"); }
  function armTimer() {
    const shownClock = live.querySelector(".timer-clock[data-seconds-left]");
    if (!shownClock) { endsAt = null; return; }
    const left = Number(shownClock.dataset.secondsLeft);
    const newEnd = Date.now() + left * 1000;
    if (endsAt === null || Math.abs(newEnd - endsAt) > 1500) {  // a redraw of the same timer says nothing new
      endsAt = newEnd;
      startLeft = left;
      speak(left > 0 ? "Timer started: " + clock(left) + " left." : "Time is up.");
    }
    tick();
  }
  function tick() {
    if (endsAt === null) return;
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    live.querySelectorAll(".timer-clock[data-seconds-left]").forEach((el) => {
      if (el.textContent !== clock(left)) el.textContent = clock(left);
      el.classList.toggle("finished", left === 0);
    });
    const words = left < startLeft ? spoken(left) : null;
    if (words) speak(words);
  }
  setInterval(tick, 1000);

  async function refresh() {
    if (fetching) return;
    fetching = true;
    try {
      while (wanted > shown) {
        const target = wanted;
        const reply = await fetch(main.dataset.live, {credentials: "same-origin", cache: "no-store", headers: {"X-Peerkit-CSRF": csrf}});
        if (!reply.ok) { say("Live updates paused: " + reply.status + ". Reload the page or sign in again."); return; }
        const holder = document.createElement("template");
        holder.innerHTML = await reply.text();  // server-rendered with autoescape; a <template> runs nothing
        const part = holder.content.querySelector(".live-part");
        const revision = part ? Number(part.dataset.revision) : target;
        const before = current();
        const headingText = () => { const h = live.querySelector("h1"); return h ? h.textContent.trim() : ""; };
        const beforeHeading = headingText();
        live.replaceChildren(holder.content);
        armTimer();
        // a new screen, or a new heading on the same one (the next turn of a practice conversation)
        if (current() !== before || headingText() !== beforeHeading) {
          tell("Now on the screen: " + (headingText() || current()));
        }
        shown = Math.max(shown, revision);
        if (revision < target) await new Promise((r) => setTimeout(r, 50));  // not visible yet: ask again
        if (shown < target) shown = target;
        main.dataset.revision = String(shown);
        window.__peerkitRevision = shown;
      }
    } catch (error) {
      say("Live updates paused: the server cannot be reached. Retrying…");
    } finally {
      fetching = false;
    }
  }

  async function call(method, path, body) {
    const reply = await fetch(main.dataset.api + path, {
      method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-Peerkit-Page": "1", "X-Peerkit-CSRF": csrf},
      body: body === undefined ? undefined : JSON.stringify(body)});
    let data = null;
    try { data = await reply.json(); } catch (error) { data = null; }
    if (!reply.ok) { tell((data && data.detail) || ("That did not work (" + reply.status + ").")); return null; }
    wanted = Math.max(wanted, shown + 1);
    refresh();
    return data || {};
  }

  function show(screen) {
    if (screen === "chart") return call("POST", "session/screen/step", {by: 0});
    return call("PUT", "session/screen", {screen});
  }

  function openHelp() {
    helpReturn = document.activeElement;
    help.hidden = false;
    document.getElementById("help-title").focus();
  }
  function closeHelp() {
    help.hidden = true;
    (helpReturn && document.contains(helpReturn) ? helpReturn : main).focus();
  }

  document.getElementById("help-open").addEventListener("click", openHelp);
  document.getElementById("help-close").addEventListener("click", closeHelp);

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    if (!help.hidden) {
      if (event.key === "Escape" || event.key === "?") { event.preventDefault(); closeHelp(); }
      else if (event.key === "Tab") {  // keep focus inside the open list
        const inside = [...help.querySelectorAll("a, button")];
        const first = inside[0], last = inside[inside.length - 1];
        if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      }
      return;
    }
    const at = SCREENS.indexOf(current());
    let handled = true;
    if (event.key === "?") openHelp();
    else if (/^[1-7]$/.test(event.key)) show(SCREENS[Number(event.key) - 1]);
    else if (event.key === "ArrowRight") show(SCREENS[Math.min(SCREENS.length - 1, at + 1)]);
    else if (event.key === "ArrowLeft") show(SCREENS[Math.max(0, at - 1)]);
    else if (event.key === "ArrowDown" || event.key === "PageDown") call("POST", "session/screen/step", {by: 1});
    else if (event.key === "ArrowUp" || event.key === "PageUp") call("POST", "session/screen/step", {by: -1});
    else if (event.key === "r" || event.key === "R") {
      const part = live.querySelector(".live-part[data-poll]");
      if (part) call("POST", "polls/" + part.dataset.poll + "/reveal").then((done) => { if (done) tell("Results shown."); });
      else tell("No poll on the screen.");
    } else handled = false;
    if (handled) event.preventDefault();
  });

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

  armTimer();
  window.__peerkitRevision = shown;
  listen();
})();
