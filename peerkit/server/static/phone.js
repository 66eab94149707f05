// The phone page: join with the code (this page makes the pseudonym, and never shows it), then send
// answers from plain forms to the learner API. A knowledge check's answers are also explained under each
// question, by the course's own feedback rule (GET feedback/...). Leaving asks first. The learner token
// stays in this browser (localStorage) and nowhere else. Text is set with textContent only.
(function () {
  "use strict";
  const main = document.getElementById("main");
  const api = main.dataset.base + "api/v1/";
  const KEY = "peerkit-phone";
  const saved = () => JSON.parse(localStorage.getItem(KEY) || "null");
  const save = (state) => localStorage.setItem(KEY, JSON.stringify(state));

  function newPseudonym() {
    const bytes = new Uint8Array(10);
    crypto.getRandomValues(bytes);
    return "p-" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function call(method, path, body, token) {
    const headers = {"Content-Type": "application/json"};
    if (token) headers.Authorization = "Bearer " + token;
    const reply = await fetch(api + path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    let data = null;
    try { data = await reply.json(); } catch (error) { data = null; }
    return {ok: reply.ok, status: reply.status, data};
  }

  // What phone_scenario.js (practice conversations, turn by turn) shares with this page: the one API call
  // and the one place the token and seq live.
  window.peerkitPhone = {call, saved, save};

  function showJoined(state) {
    document.getElementById("join-section").hidden = true;
    document.getElementById("joined-section").hidden = false;
    document.getElementById("cohort-name").textContent = state.cohort.name;  // text, never HTML
    const size = state.cohort && Number.isInteger(state.cohort.min_group_size) ? state.cohort.min_group_size : null;
    if (size) document.getElementById("min-group-size").textContent = String(size);
  }

  document.getElementById("join-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("join-status");
    const code = document.getElementById("join-code").value.trim();
    if (!code) { status.textContent = "Type the join code from the screen first."; return; }
    status.textContent = "Joining…";
    const pseudonym = newPseudonym();
    const reply = await call("POST", "join", {code, pseudonym});
    if (!reply.ok) {
      status.textContent = (reply.data && reply.data.detail) || "Could not join (" + reply.status + ").";
      return;
    }
    const state = {token: reply.data.token, cohort: reply.data.cohort, pseudonym, seq: 0};
    save(state);
    status.textContent = "";
    showJoined(state);
    document.getElementById("joined-title").focus();
  });

  // Leaving deletes every answer on the server: the first button only asks.
  const leaveStart = document.getElementById("leave-start");
  const leaveConfirm = document.getElementById("leave-confirm");
  const leaveStatus = document.getElementById("leave-status");
  const askToLeave = (asking) => {
    leaveConfirm.hidden = !asking;
    leaveStart.hidden = asking;
    leaveStart.setAttribute("aria-expanded", asking ? "true" : "false");
    (asking ? leaveConfirm.querySelector("button") : leaveStart).focus();
  };
  leaveStart.addEventListener("click", () => { leaveStatus.textContent = ""; askToLeave(true); });
  document.getElementById("leave-cancel").addEventListener("click", () => {
    askToLeave(false);
    leaveStatus.textContent = "You are still in the group. Nothing was removed.";
  });
  document.getElementById("leave-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const state = saved();
    leaveStatus.textContent = "Removing your answers\u2026";
    if (state) {
      const reply = await call("DELETE", "me", undefined, state.token);
      if (!reply.ok && reply.status !== 401) {  // 401: already gone from the server
        leaveStatus.textContent = "Your answers could not be removed (" + ((reply.data && reply.data.detail) ||
          reply.status) + "). You are still in the group; try again.";
        return;
      }
    }
    localStorage.removeItem(KEY);
    sessionStorage.setItem(KEY + "-left", "yes");
    location.reload();
  });
  if (sessionStorage.getItem(KEY + "-left")) {
    sessionStorage.removeItem(KEY + "-left");
    document.getElementById("join-status").textContent =
      "You left the group, and your answers were removed from its server.";
  }

  // A knowledge check: why each chosen answer fits or not, from the course's feedback rule.
  async function explain(form, byItem) {
    const exercise = form.dataset.exercise;
    for (const box of form.querySelectorAll("[data-feedback-for]")) {
      const item = box.dataset.feedbackFor;
      const chosen = byItem.get(item);
      if (chosen === undefined) { box.hidden = true; box.textContent = ""; continue; }
      const query = (Array.isArray(chosen) ? chosen : [chosen]).map((v) => "chosen=" + encodeURIComponent(v)).join("&");
      let reply = null;
      try {
        reply = await fetch(main.dataset.base + "feedback/" + encodeURIComponent(exercise) + "/" +
                            encodeURIComponent(item) + "?" + query);
      } catch (error) { reply = null; }
      const data = reply && reply.ok ? await reply.json() : null;
      box.textContent = data ? data.text : "The explanation could not be loaded; try the button again.";
      box.dataset.correct = data && data.correct !== null ? String(data.correct) : "";
      box.hidden = false;
    }
  }

  document.querySelectorAll(".exercise-form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = form.querySelector(".status");
      const state = saved();
      if (!state) { status.textContent = "Join the group first."; return; }
      const exercise = form.dataset.exercise;
      const byItem = new Map();
      const ratherNot = new Set();  // "I'd rather not answer": never sent; it takes back an earlier answer
      form.querySelectorAll("input:checked").forEach((input) => {
        if (input.dataset.ratherNot === "yes") { ratherNot.add(input.dataset.item); return; }
        let value = input.value;
        if (input.dataset.number === "yes") value = Number(value);
        if (form.dataset.answer === "options") {  // an item's own options: the list of those ticked
          byItem.set(input.dataset.item, [...(byItem.get(input.dataset.item) || []), value]);
        } else {
          byItem.set(input.dataset.item, value);
        }
      });
      if (!byItem.size && !ratherNot.size) { status.textContent = "Choose at least one answer first."; return; }
      if (form.dataset.check === "yes") await explain(form, byItem);
      const answers = [...byItem].map(([item, value]) => ({seq: ++state.seq, exercise, item, value}))
        .concat([...ratherNot].map((item) => ({seq: ++state.seq, exercise, item, value: null})));
      save(state);
      status.textContent = "Sending…";
      const reply = await call("POST", "me/answers", {answers}, state.token);
      if (!reply.ok) {
        status.textContent = (reply.data && reply.data.detail) || "Not sent (" + reply.status + "). Try again.";
        return;
      }
      const refused = reply.data.refused || [];
      if (reply.data.last_seq && reply.data.last_seq > state.seq) { state.seq = reply.data.last_seq; save(state); }
      const takenBack = new Set(answers.filter((a) => a.value === null).map((a) => a.seq));
      const sent = reply.data.accepted.filter((seq) => !takenBack.has(seq)).length;
      const plural = (n, one, many) => n + " " + (n === 1 ? one : many);
      const kept = ratherNot.size
        ? " " + plural(ratherNot.size, "row", "rows") + " with \u201cI'd rather not answer\u201d: not sent, and any " +
          "earlier answer there is taken back."
        : "";
      status.textContent = refused.length
        ? "Sent " + sent + "; not taken: " + refused.map((r) => r.item + " (" + r.detail + ")").join("; ") + kept
        : "Sent to your group: " + plural(sent, "answer.", "answers.") + kept;
    });
  });

  const state = saved();
  if (state) {
    call("GET", "me", undefined, state.token).then((reply) => {
      if (reply.ok) {
        if (reply.data.last_seq > state.seq) { state.seq = reply.data.last_seq; save(state); }
        showJoined(state);
      } else if (reply.status === 401) {
        localStorage.removeItem(KEY);
      }
    });
  }
})();
