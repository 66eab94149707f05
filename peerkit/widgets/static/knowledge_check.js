// Front end of peerkit.widgets.knowledge_check.KnowledgeCheck.
// Each question is a <fieldset> whose <legend> is the question: a native radio group for one
// answer, native checkboxes for "choose all that apply". "Check answer" asks the kernel, which
// keeps the right answers; its feedback arrives as text in a polite live region, so it is
// announced and never carried by colour. A choice counts as made once the kernel has saved it
// (until then the question says "Saving…"); a widget whose kernel is gone says so and takes no
// more answers (see common.js). Text is set with textContent only, never innerHTML.

function render({ model, el }) {
  const uid = uniqueId("peerkit-quiz");
  const root = widgetRoot("peerkit-widget peerkit-quiz", uid);

  const title = document.createElement("h3");
  title.id = `${uid}-title`;
  const instructions = document.createElement("p");
  const progress = document.createElement("p");
  progress.className = "peerkit-progress";
  progress.setAttribute("role", "status");
  progress.setAttribute("aria-live", "polite");
  const saveState = saveStateLine();
  const rows = document.createElement("div");
  const status = document.createElement("p");
  status.className = "peerkit-status";
  status.setAttribute("role", "alert");
  root.append(title, instructions, progress, saveState, rows, status);
  el.appendChild(root);

  const tracker = answerTracker(model, () => showAnswers());
  const kernel = watchKernel(model, root, () => tracker.revert());

  const feedbackFor = new Map(); // question id -> feedback element

  function choose(question, fieldset) {
    if (kernel.gone()) { showAnswers(); return; } // nothing can be saved: show what was
    const chosen = [...fieldset.querySelectorAll("input[data-item]")].filter((i) => i.checked).map((i) => i.value);
    tracker.set(question.id, chosen.length ? chosen : undefined); // nothing chosen: no answer
  }

  function buildRows() {
    rows.textContent = "";
    feedbackFor.clear();
    model.get("items").forEach((question, index) => {
      const fieldset = document.createElement("fieldset");
      fieldset.dataset.item = question.id;
      const legend = document.createElement("legend");
      legend.textContent = `${index + 1}. ${question.text}` + (question.multiple ? " (choose all that apply)" : "");
      fieldset.appendChild(legend);
      const choices = document.createElement("div");
      choices.className = "peerkit-quiz-choices";
      question.options.forEach((option) => {
        const label = document.createElement("label");
        label.className = "peerkit-choice";
        const input = document.createElement("input");
        input.type = question.multiple ? "checkbox" : "radio";
        input.name = `${uid}-${question.id}`;
        input.value = option.value;
        input.dataset.item = question.id;
        input.addEventListener("change", () => choose(question, fieldset));
        const text = document.createElement("span");
        text.textContent = option.label;
        label.append(input, text);
        choices.appendChild(label);
      });
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Check answer";
      const feedback = document.createElement("p");
      feedback.className = "peerkit-feedback";
      feedback.id = `${uid}-${question.id}-feedback`;
      feedback.setAttribute("role", "status");
      feedback.setAttribute("aria-live", "polite");
      button.setAttribute("aria-describedby", feedback.id);
      button.addEventListener("click", () => {
        if (!kernel.gone()) model.send({ type: "check", question: question.id });
      });
      const state = document.createElement("span");
      state.className = "peerkit-row-state";
      feedbackFor.set(question.id, feedback);
      fieldset.append(choices, state, button, feedback);
      rows.appendChild(fieldset);
    });
  }

  function showAnswers() {
    const answers = model.get("answers");
    rows.querySelectorAll("fieldset[data-item]").forEach((fieldset) => {
      const state = tracker.state(fieldset.dataset.item);
      fieldset.dataset.saveState = state;
      fieldset.querySelector(".peerkit-row-state").textContent = ROW_STATE_TEXT[state];
    });
    rows.querySelectorAll("input[data-item]").forEach((input) => {
      input.checked = (answers[input.dataset.item] || []).includes(input.value);
    });
    const total = model.get("items").length;
    const done = model.get("items").filter((q) => (answers[q.id] || []).length && tracker.state(q.id) === "saved").length;
    progress.textContent = `Answered ${done} of ${total}.`;
  }

  function showFeedback() {
    const feedback = model.get("feedback");
    feedbackFor.forEach((element, questionId) => {
      const result = feedback[questionId];
      element.textContent = result ? result.text : "";
      if (result && result.correct !== null) element.dataset.correct = String(result.correct);
      else delete element.dataset.correct;
    });
  }

  buildRows();
  const unbindHeader = bindHeader(model, { title, instructions, status, saveState });
  showAnswers();
  showFeedback();
  const rebuild = () => { buildRows(); showAnswers(); showFeedback(); };
  model.on("change:items", rebuild);
  model.on("change:answers", showAnswers);
  model.on("change:feedback", showFeedback);
  return () => {
    unbindHeader();
    kernel.stop();
    tracker.stop();
    model.off("change:items", rebuild);
    model.off("change:answers", showAnswers);
    model.off("change:feedback", showFeedback);
  };
}

export default { render };
