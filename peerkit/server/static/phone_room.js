// The phone page hears from the room: it asks GET me/session (as the notebook's live panel does, as often as the
// server suggests) and, when the trainer started a practice conversation in the room, says so above the exercises
// with a link to that conversation further down. Text is set with textContent only; the link goes only to an
// exercise's own heading on this page.
(function () {
  "use strict";
  const banner = document.getElementById("room-conversation");
  if (!banner || !window.peerkitPhone) return;
  const SAFE_ID = /^[a-z0-9_]{1,64}$/;

  function show(conversation) {
    if (!conversation || !SAFE_ID.test(String(conversation.exercise)) ||
        !document.getElementById("title-" + conversation.exercise)) {
      banner.hidden = true;
      return;
    }
    document.getElementById("room-conversation-title").textContent = String(conversation.title);
    document.getElementById("room-conversation-turn").textContent =
      conversation.ended ? "its end" : "turn " + Number(conversation.number);
    document.getElementById("room-conversation-link").setAttribute("href", "#title-" + conversation.exercise);
    banner.hidden = false;
  }

  async function ask() {
    let wait = 6;
    const state = window.peerkitPhone.saved();
    if (state && state.token) {
      try {
        const reply = await window.peerkitPhone.call("GET", "me/session", undefined, state.token);
        if (reply.ok && reply.data) {
          show(reply.data.conversation);
          if (Number.isFinite(reply.data.check_again_seconds)) wait = Math.max(4, reply.data.check_again_seconds);
        }
      } catch (error) { /* the next ask tries again */ }
    } else {
      banner.hidden = true;
    }
    setTimeout(ask, wait * 1000);
  }
  ask();
})();
