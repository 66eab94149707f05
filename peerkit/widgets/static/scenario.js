// Front end of peerkit.widgets.scenario.ScenarioWidget: a practice conversation, turn by turn.
// The situation comes first. Each turn on the learner's path is shown with what they chose and the
// feedback on it; the turn to answer now is a <fieldset> whose <legend> is the question, with native
// radio buttons (arrow keys move between responses without choosing) and a "Choose this response"
// button. The kernel keeps the graph: it sends back, per turn on the path, the feedback, and the next
// turn or the end. Focus then moves to the new feedback (or, after "Go back", to the reopened turn);
// a polite live region says what happened. Nothing is drawn as chosen until the kernel has it.
// Text is set with textContent only, never innerHTML.

const QUALITY_MARK = { helpful: "\u2714", mixed: "\u25D0", unhelpful: "\u2716", rather_not: "" };

function render({ model, el }) {
  const uid = uniqueId("peerkit-scenario");
  const root = widgetRoot("peerkit-widget peerkit-scenario", uid);

  const title = document.createElement("h3");
  title.id = `${uid}-title`;
  const note = document.createElement("div");
  note.className = "peerkit-scenario-note";
  const instructions = document.createElement("p");
  const skill = document.createElement("p");
  skill.className = "peerkit-scenario-skill";
  const saveState = saveStateLine();
  const announcer = document.createElement("p");
  announcer.className = "peerkit-sr-only";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  const situation = document.createElement("div");
  situation.className = "peerkit-scenario-situation";
  const turns = document.createElement("div");
  turns.className = "peerkit-scenario-turns";
  const ending = document.createElement("div");
  ending.className = "peerkit-scenario-ending";
  const controls = document.createElement("div");
  controls.className = "peerkit-scenario-controls";
  const source = document.createElement("p");
  source.className = "peerkit-scenario-source";
  const status = document.createElement("p");
  status.className = "peerkit-status";
  status.setAttribute("role", "alert");
  root.append(title, note, instructions, skill, situation, turns, ending, controls, saveState, status, source,
    announcer);
  el.appendChild(root);

  const tracker = answerTracker(model, () => showStates());
  const kernel = watchKernel(model, root, () => tracker.revert());
  let focusNext = null; // what gets focus once the kernel's answer is drawn: {feedback: turn} | {turn} | null
  let drawn = "";

  const turnById = () => new Map(model.get("items").map((turn) => [turn.id, turn]));

  function paragraph(className, text) {
    const p = document.createElement("p");
    if (className) p.className = className;
    p.textContent = text;
    return p;
  }

  function quote(who, text) {
    const block = document.createElement("blockquote");
    block.className = "peerkit-scenario-said";
    const speaker = document.createElement("span");
    speaker.className = "peerkit-sr-only";
    speaker.textContent = `${who} ${who === "They" ? "say" : "says"}: `;
    const words = document.createElement("span");
    words.textContent = text;
    block.append(speaker, words);
    return block;
  }

  function drawHeader() {
    note.textContent = "";
    if (model.get("content_note")) {
      note.append(paragraph("", `Content note. ${model.get("content_note")}`));
      if (model.get("help")) note.append(paragraph("", model.get("help")));
    }
    note.hidden = !model.get("content_note");
    skill.textContent = model.get("skill") ? `Skill practised: ${model.get("skill")}` : "";
    source.textContent = model.get("source") ? `Where this is taught: ${model.get("source")}` : "";
    const where = model.get("situation");
    situation.textContent = "";
    const heading = document.createElement("h4");
    heading.textContent = "The situation";
    situation.append(heading, paragraph("", where.who));
    if (where.setting) situation.append(paragraph("", where.setting));
    situation.append(quote("They", where.said));
  }

  function feedbackBlock(turn, result) {
    const block = document.createElement("div");
    block.className = "peerkit-scenario-feedback";
    block.dataset.quality = result.quality;
    block.dataset.turn = turn.id;
    block.tabIndex = -1; // focus moves here after a choice, so a screen reader reads it next
    block.setAttribute("role", "group");
    const head = document.createElement("p");
    head.className = "peerkit-scenario-feedback-heading";
    head.id = `${uid}-${turn.id}-feedback`;
    const mark = QUALITY_MARK[result.quality] || "";
    if (mark) {
      const symbol = document.createElement("span");
      symbol.setAttribute("aria-hidden", "true");
      symbol.textContent = `${mark} `;
      head.append(symbol);
    }
    head.append(document.createTextNode(`Feedback: ${result.heading}`));
    block.dataset.heading = `Feedback: ${result.heading}`; // what the live region says (without the mark)
    block.setAttribute("aria-labelledby", head.id);
    block.append(head);
    if (result.text) block.append(paragraph("", result.text));
    const state = document.createElement("span");
    state.className = "peerkit-row-state";
    state.dataset.item = turn.id;
    block.append(state);
    return block;
  }

  function turnIntro(turn, number, container) {
    const heading = document.createElement("h4");
    heading.textContent = `Turn ${number}`;
    container.append(heading);
    if (turn.scene) container.append(paragraph("peerkit-scenario-scene", turn.scene));
    if (turn.said) container.append(quote("They", turn.said));
  }

  function pastTurn(turn, number, result) {
    const section = document.createElement("div");
    section.className = "peerkit-scenario-turn peerkit-scenario-past";
    section.dataset.item = turn.id;
    turnIntro(turn, number, section);
    section.append(paragraph("peerkit-scenario-question", turn.text));
    const chose = document.createElement("p");
    chose.className = "peerkit-scenario-chosen";
    const lead = document.createElement("strong");
    lead.textContent = "You chose: ";
    chose.append(lead, document.createTextNode(result.label));
    section.append(chose, feedbackBlock(turn, result));
    return section;
  }

  function currentTurn(turn, number) {
    const section = document.createElement("div");
    section.className = "peerkit-scenario-turn peerkit-scenario-current";
    section.dataset.item = turn.id;
    turnIntro(turn, number, section);
    const fieldset = document.createElement("fieldset");
    fieldset.dataset.item = turn.id;
    const legend = document.createElement("legend");
    legend.id = `${uid}-${turn.id}-legend`;
    legend.textContent = turn.text;
    fieldset.append(legend);
    const choices = document.createElement("div");
    choices.className = "peerkit-scenario-choices";
    turn.options.forEach((option) => {
      const label = document.createElement("label");
      label.className = "peerkit-choice";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = `${uid}-${turn.id}`;
      input.value = option.value;
      input.dataset.item = turn.id;
      const text = document.createElement("span");
      text.textContent = option.label;
      label.append(input, text);
      choices.append(label);
    });
    const hint = paragraph("peerkit-scenario-hint", "");
    hint.id = `${uid}-${turn.id}-hint`;
    const buttons = document.createElement("div");
    buttons.className = "peerkit-scenario-buttons";
    const choose = document.createElement("button");
    choose.type = "button";
    choose.className = "peerkit-scenario-choose";
    choose.textContent = "Choose this response";
    choose.setAttribute("aria-describedby", `${legend.id} ${hint.id}`);
    choose.addEventListener("click", () => {
      if (kernel.gone()) return;
      const picked = fieldset.querySelector("input[type=radio]:checked");
      if (!picked) {
        hint.textContent = "Pick one of the responses above first.";
        const first = fieldset.querySelector("input[type=radio]");
        if (first) first.focus();
        return;
      }
      hint.textContent = "";
      focusNext = { feedback: turn.id };
      tracker.set(turn.id, picked.value);
    });
    buttons.append(choose);
    if (model.get("sensitive")) {
      const skip = document.createElement("button");
      skip.type = "button";
      skip.className = "peerkit-scenario-rather-not";
      skip.textContent = model.get("rather_not_label");
      skip.addEventListener("click", () => {
        if (kernel.gone()) return;
        focusNext = { feedback: turn.id };
        tracker.set(turn.id, "rather_not");
      });
      buttons.append(skip);
    }
    const state = document.createElement("span");
    state.className = "peerkit-row-state";
    state.dataset.item = turn.id;
    fieldset.append(choices, hint, buttons, state);
    section.append(fieldset);
    return section;
  }

  function drawEnding() {
    ending.textContent = "";
    const end = model.get("ending");
    ending.hidden = !end || !end.id;
    if (ending.hidden) return;
    const heading = document.createElement("h4");
    heading.textContent = `The end: ${end.title}`;
    ending.append(heading, paragraph("", end.debrief));
    if (model.get("help")) ending.append(paragraph("peerkit-scenario-help", model.get("help")));
    ending.append(paragraph("peerkit-scenario-done", (end.id === "RATHER_NOT"
      ? "Stopping here counts as done in your progress. "
      : "You reached an end, so this scenario counts as done in your progress. ") +
      "You can go back a step, or start again and try another path."));
  }

  function drawControls() {
    controls.textContent = "";
    const path = model.get("path");
    if (!path.length) return;
    const back = document.createElement("button");
    back.type = "button";
    back.className = "peerkit-scenario-back";
    back.textContent = "Go back one step";
    back.addEventListener("click", () => {
      if (kernel.gone()) return;
      const last = model.get("path").slice(-1)[0];
      focusNext = { turn: last };
      tracker.set(last, undefined);
    });
    const again = document.createElement("button");
    again.type = "button";
    again.className = "peerkit-scenario-restart";
    again.textContent = "Try another path (start again)";
    again.addEventListener("click", () => {
      if (kernel.gone()) return;
      const first = model.get("path")[0];
      focusNext = { turn: first };
      tracker.set(first, undefined); // the kernel drops every later choice: they are off the path now
    });
    controls.append(back, again);
  }

  function drawPath() {
    const key = JSON.stringify([model.get("path"), model.get("next_turn"), model.get("feedback"),
      model.get("ending"), model.get("items")]);
    if (key === drawn) return;
    drawn = key;
    const byId = turnById();
    const feedback = model.get("feedback");
    turns.textContent = "";
    let number = 0;
    model.get("path").forEach((turnId) => {
      const turn = byId.get(turnId);
      if (turn && feedback[turnId]) turns.append(pastTurn(turn, ++number, feedback[turnId]));
    });
    const next = byId.get(model.get("next_turn"));
    if (next) turns.append(currentTurn(next, ++number));
    drawEnding();
    drawControls();
    showStates();
    moveFocus();
  }

  function moveFocus() {
    if (!focusNext) return;
    const wanted = focusNext;
    if (wanted.feedback) {
      const block = turns.querySelector(`.peerkit-scenario-feedback[data-turn="${CSS.escape(wanted.feedback)}"]`);
      if (!block) return; // not drawn yet: the kernel has not answered
      focusNext = null;
      block.focus();
      const end = model.get("ending");
      announcer.textContent = end && end.id
        ? `${block.dataset.heading} The conversation has ended: ${end.title}.`
        : `${block.dataset.heading} The next turn follows.`;
    } else if (wanted.turn) {
      const fieldset = turns.querySelector(`fieldset[data-item="${CSS.escape(wanted.turn)}"]`);
      if (!fieldset) return;
      focusNext = null;
      const first = fieldset.querySelector("input[type=radio]");
      if (first) first.focus();
      announcer.textContent = `Back at: ${fieldset.querySelector("legend").textContent}`;
    }
  }

  function showStates() {
    root.querySelectorAll(".peerkit-row-state[data-item]").forEach((state) => {
      state.textContent = ROW_STATE_TEXT[tracker.state(state.dataset.item)];
    });
    turns.querySelectorAll("fieldset[data-item]").forEach((fieldset) => {
      fieldset.dataset.saveState = tracker.state(fieldset.dataset.item);
    });
  }

  drawHeader();
  const unbindHeader = bindHeader(model, { title, instructions, status, saveState });
  drawPath();
  let queued = false;
  const redraw = () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => { queued = false; drawPath(); });
  };
  const events = ["change:path", "change:next_turn", "change:feedback", "change:ending", "change:items"];
  events.forEach((event) => model.on(event, redraw));
  const headerEvents = ["change:content_note", "change:help", "change:skill", "change:source", "change:situation"];
  headerEvents.forEach((event) => model.on(event, drawHeader));
  return () => {
    unbindHeader();
    kernel.stop();
    tracker.stop();
    events.forEach((event) => model.off(event, redraw));
    headerEvents.forEach((event) => model.off(event, drawHeader));
  };
}

export default { render };
