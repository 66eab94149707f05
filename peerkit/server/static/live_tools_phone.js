// The phone page's "Now in the session" panel: polls GET /api/v1/me/session every few seconds (as the server suggests) with the
// learner token this page keeps (localStorage, set by phone.js), and shows the place, the timer, the poll
// and the wall. Everything is put in the page as text (textContent), never as HTML.
(function () {
  "use strict";
  const main = document.getElementById("main");
  if (!main || !document.getElementById("live-now")) return;
  const api = main.dataset.base + "api/v1/";
  const el = (id) => document.getElementById(id);
  let pollShown = null, endsAt = null, wallId = null;

  const token = () => { try { return (JSON.parse(localStorage.getItem("peerkit-phone") || "null") || {}).token; } catch (e) { return null; } };

  async function call(method, path, body) {
    const headers = {"Content-Type": "application/json", Authorization: "Bearer " + token()};
    const reply = await fetch(api + path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    let data = null;
    try { data = await reply.json(); } catch (error) { data = null; }
    return {ok: reply.ok, status: reply.status, data};
  }

  function choice(type, name, value, label, checked) {
    const wrap = document.createElement("label");
    wrap.className = "option";
    const input = document.createElement("input");
    input.type = type; input.name = name; input.value = String(value); input.checked = !!checked;
    wrap.append(input, " " + label);
    return wrap;
  }

  function drawPoll(poll) {
    const form = el("live-poll");
    if (!poll) { form.hidden = true; pollShown = null; return; }
    form.hidden = false;
    if (pollShown !== poll.id + ":" + poll.status) {
      pollShown = poll.id + ":" + poll.status;
      form.dataset.poll = poll.id; form.dataset.kind = poll.kind;
      const question = document.createElement("bdi");
      question.textContent = poll.question;
      el("live-poll-question").replaceChildren("Poll: ", question);
      const box = el("live-poll-choices");
      box.replaceChildren();
      const mine = poll.your_answer;
      if (poll.kind === "single" || poll.kind === "multiple") {
        poll.options.forEach((option) => box.append(choice(poll.kind === "single" ? "radio" : "checkbox", "poll-choice",
          option, option, Array.isArray(mine) ? mine.includes(option) : mine === option)));
      } else if (poll.kind === "scale") {
        [1, 2, 3, 4, 5].forEach((n) => box.append(choice("radio", "poll-choice", n, String(n), mine === n)));
      } else {
        const label = document.createElement("label");
        label.htmlFor = "live-poll-word"; label.textContent = "One word";
        const input = document.createElement("input");
        input.type = "text"; input.id = "live-poll-word"; input.maxLength = 30; input.value = mine || "";
        box.append(label, input);
      }
      form.querySelector("button").disabled = poll.status !== "open";
      el("live-poll-status").textContent = mine !== null && mine !== undefined ? "Your answer is in. You can change it." : "";
    }
    const results = el("live-poll-results");
    if (poll.results) {
      results.hidden = false;
      const list = document.createElement("ul");
      (poll.results.words || poll.results.counts || []).forEach((entry) => {
        const item = document.createElement("li");
        const said = document.createElement("bdi");  // a learner's word: its bidi controls stay inside it
        said.textContent = entry.word || entry.option;
        item.append(said, ": " + entry.n);
        list.append(item);
      });
      const title = document.createElement("p");
      title.textContent = "Results (" + poll.results.answers + " people):";
      results.replaceChildren(title, list);
    } else { results.hidden = true; results.replaceChildren(); }
  }

  function drawWall(wall) {
    const form = el("live-wall");
    if (!wall || wall.status !== "open") { form.hidden = true; wallId = null; return; }
    form.hidden = false; wallId = wall.id;
    const prompt = document.createElement("bdi");
    prompt.textContent = wall.prompt;
    el("live-wall-prompt").replaceChildren("Wall: ", prompt);
  }

  function drawPlace(place) {
    const banner = el("live-place");
    if (!place) { banner.hidden = true; return; }
    banner.hidden = false;
    banner.textContent = "Your trainer is at: " + place.title + (place.exercise_title ? ", “" + place.exercise_title + "”" : "") + ".";
  }

  function tick() {
    const clock = el("live-timer");
    if (endsAt === null) { clock.hidden = true; return; }
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    clock.hidden = false;
    clock.textContent = left > 0 ? "Time left: " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : "Time is up.";
  }
  setInterval(tick, 1000);

  async function update() {
    if (!token() || el("joined-section").hidden) return;
    const reply = await call("GET", "me/session");
    if (!reply.ok) return;
    const state = reply.data;
    if (state.check_again_seconds) pause = Math.max(4, Number(state.check_again_seconds)) * 1000;
    drawPlace(state.place);
    endsAt = state.timer ? Date.now() + state.timer.seconds_left * 1000 : null;
    tick();
    drawPoll(state.poll);
    drawWall(state.wall);
    el("live-nothing").hidden = !!(state.poll || (state.wall && state.wall.status === "open") || state.place || state.timer);
  }

  el("live-poll").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    let value;
    if (form.dataset.kind === "word") value = el("live-poll-word").value;
    else {
      const ticked = [...form.querySelectorAll("input[name=poll-choice]:checked")].map((i) => i.value);
      if (form.dataset.kind === "multiple") value = ticked;
      else if (form.dataset.kind === "scale") value = ticked.length ? Number(ticked[0]) : null;
      else value = ticked.length ? ticked[0] : null;
    }
    const reply = await call("PUT", "me/polls/" + form.dataset.poll, {value});
    el("live-poll-status").textContent = reply.ok ? "Your answer is in. You can change it." :
      ((reply.data && reply.data.detail) || "Not sent (" + reply.status + ").");
  });

  el("live-wall").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = el("live-wall-text").value;
    const reply = await call("POST", "me/wall/" + wallId, {text});
    if (reply.ok) el("live-wall-text").value = "";
    el("live-wall-status").textContent = reply.ok ? "Posted. The trainer reads it before it goes on the screen." :
      ((reply.data && reply.data.detail) || "Not posted (" + reply.status + ").");
  });

  // ask again after the server's check_again_seconds (4 s in a small group, longer in a big class)
  let pause = 4000;
  async function loop() {
    try { await update(); } catch (error) { /* offline for a moment: try again later */ }
    setTimeout(loop, pause);
  }
  loop();
})();
