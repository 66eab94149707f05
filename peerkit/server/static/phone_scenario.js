// Practice conversations on the phone page (templates/phone_scenario.html), one turn at a time.
// The page holds every turn, response, feedback and end as course text; this script only shows them in
// the order the learner's choices take: choose a response, read its feedback (focus moves to it), go on
// to the next turn or to the end. Each choice is sent to the group like any answer (phone.js's `call`);
// "rather not" is never sent; "Go back one step" takes the last choice back (a withdrawal, value null).
// Text is shown by un-hiding the page's own elements, never built from strings.
(function () {
  "use strict";
  const phone = window.peerkitPhone;
  if (!phone) return;

  function setUp(section) {
    const exercise = section.dataset.exercise;
    const turns = new Map([...section.querySelectorAll(".scenario-turn")].map((form) => [form.dataset.turn, form]));
    const ends = new Map([...section.querySelectorAll(".scenario-end")].map((end) => [end.dataset.end, end]));
    const controls = section.querySelector(".scenario-controls");
    const announce = section.querySelector(".announce");
    const path = []; // [{turn, value, sent}]

    function feedbackOf(form, value) {
      return [...form.querySelectorAll(".feedback")].find((block) => block.dataset.value === value);
    }

    function reset(form) {
      form.hidden = true;
      form.querySelector("fieldset").disabled = false;
      form.querySelectorAll("input").forEach((input) => { input.checked = false; });
      form.querySelector(".turn-buttons").hidden = false;
      form.querySelector(".chosen").hidden = true;
      form.querySelectorAll(".feedback").forEach((block) => { block.hidden = true; });
      form.querySelector(".status").textContent = "";
    }

    function show(turnId, number) {
      const form = turns.get(turnId);
      form.hidden = false;
      form.querySelector(".turn-number").textContent = "Turn " + number;
      return form;
    }

    async function send(item, value, status) {
      const state = phone.saved();
      if (!state) { status.textContent = "Join the group first: this response was not sent."; return false; }
      const answers = [{seq: ++state.seq, exercise, item, value}];
      phone.save(state);
      status.textContent = value === null ? "Taking your response back…" : "Sending…";
      const reply = await phone.call("POST", "me/answers", {answers}, state.token);
      if (!reply.ok) {
        status.textContent = (reply.data && reply.data.detail) || "Not sent (" + reply.status + "). Try again.";
        return false;
      }
      if (reply.data.last_seq && reply.data.last_seq > state.seq) { state.seq = reply.data.last_seq; phone.save(state); }
      const refused = reply.data.refused || [];
      if (refused.length) { status.textContent = "Not taken: " + refused[0].detail; return false; }
      status.textContent = value === null ? "Your response was taken back from your group."
        : "Shared with your group (not under your name).";
      return true;
    }

    function choose(form, value) {
      const block = feedbackOf(form, value);
      if (!block) return;
      const label = value === "rather_not" ? form.querySelector(".rather-not").textContent
        : form.querySelector(`input[value="${CSS.escape(value)}"]`).parentElement.textContent.trim();
      form.querySelector("fieldset").disabled = true;
      form.querySelector(".turn-buttons").hidden = true;
      const chosen = form.querySelector(".chosen");
      chosen.querySelector("span").textContent = label;
      chosen.hidden = false;
      block.hidden = false;
      const step = {turn: form.dataset.turn, value, sent: false};
      path.push(step);
      const next = block.dataset.next;
      if (turns.has(next)) show(next, path.length + 1);
      else if (ends.has(next)) ends.get(next).hidden = false;
      controls.hidden = false;
      block.focus();
      const heading = block.querySelector("strong").textContent;
      announce.textContent = heading + (ends.has(next) ? " The conversation has ended." : " The next turn follows.");
      if (value !== "rather_not") {
        send(step.turn, value, form.querySelector(".status")).then((ok) => { step.sent = ok; });
      } else {
        form.querySelector(".status").textContent = "Not sent: stopping here stays on this phone.";
      }
    }

    function back() {
      const step = path.pop();
      if (!step) return;
      const form = turns.get(step.turn);
      const following = feedbackOf(form, step.value).dataset.next;
      if (turns.has(following)) reset(turns.get(following));
      if (ends.has(following)) ends.get(following).hidden = true;
      const number = path.length + 1;
      reset(form);
      show(step.turn, number);
      controls.hidden = path.length === 0;
      if (step.sent) send(step.turn, null, form.querySelector(".status"));
      form.querySelector("input").focus();
      announce.textContent = "Back at: " + form.querySelector("legend").textContent;
    }

    turns.forEach((form) => {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const picked = form.querySelector("input:checked");
        if (!picked) {
          form.querySelector(".status").textContent = "Pick one of the responses first.";
          form.querySelector("input").focus();
          return;
        }
        choose(form, picked.value);
      });
      const skip = form.querySelector(".rather-not");
      if (skip) skip.addEventListener("click", () => choose(form, skip.dataset.value));
    });
    controls.querySelector(".back").addEventListener("click", back);
    controls.querySelector(".restart").addEventListener("click", () => { while (path.length) back(); });
    show(section.dataset.start, 1);
  }

  document.querySelectorAll(".scenario-form").forEach(setUp);
})();
