// Front end of peerkit.widgets.boundary_matrix.BoundaryMatrix.
// Each item is a <fieldset> whose <legend> names it, holding one native radio group:
// Tab reaches the group, arrow keys move between options, and a screen reader
// announces "<item>, group, Never OK, radio button, 1 of 3". An answered row has a
// "Clear this answer" button before its options (rows may be left blank). A choice
// counts as made only once the kernel has saved it: until then the row says "Saving…",
// and if the kernel is gone (restart) the row goes back to what was saved and the
// widget says so. Text is always set with textContent, never innerHTML, so nothing in
// an item or a status can become markup. In a sensitive exercise each row ends with "I'd rather not
// answer" (one more radio of the row's group); a row's debrief (what the sources say) is listed under the
// matrix once the row is answered, so that it never moves the rows below.

function render({ model, el }) {
  const uid = uniqueId("peerkit-matrix");
  const root = widgetRoot("peerkit-matrix", uid);

  const title = document.createElement("h3");
  title.id = `${uid}-title`;
  title.className = "peerkit-matrix-title";
  const instructions = document.createElement("p");
  instructions.className = "peerkit-matrix-instructions";
  const progress = document.createElement("p");
  progress.className = "peerkit-progress";
  progress.setAttribute("role", "status");
  progress.setAttribute("aria-live", "polite");
  const saveState = saveStateLine();
  const rows = document.createElement("div");
  rows.className = "peerkit-matrix-rows";
  const status = document.createElement("p");
  status.className = "peerkit-status";
  status.setAttribute("role", "alert");

  // "What the sources say": a debrief for each answered row that has one, in row order
  const debriefs = document.createElement("section");
  debriefs.className = "peerkit-debriefs";
  debriefs.setAttribute("aria-labelledby", `${uid}-debriefs-title`);
  const debriefTitle = document.createElement("h4");
  debriefTitle.id = `${uid}-debriefs-title`;
  debriefTitle.textContent = "What the sources say about the situations you answered";
  const debriefList = document.createElement("ul");
  debriefs.append(debriefTitle, debriefList);

  root.append(title, instructions, progress, saveState, rows, debriefs, status);
  el.appendChild(root);

  const tracker = answerTracker(model, () => showAnswers());
  const kernel = watchKernel(model, root, () => tracker.revert());

  function buildRows() {
    rows.textContent = "";
    debriefList.textContent = "";
    const options = model.get("options");
    model.get("items").forEach((item, index) => {
      const fieldset = document.createElement("fieldset");
      fieldset.className = "peerkit-matrix-row";
      fieldset.dataset.item = item.id;
      const legend = document.createElement("legend");
      legend.id = `${uid}-${item.id}-legend`;
      legend.textContent = `${index + 1}. ${item.text}`;
      fieldset.appendChild(legend);

      rowTools({ fieldset, legend, itemId: item.id, what: "answer", tracker, kernel });

      const choices = document.createElement("div");
      choices.className = "peerkit-matrix-choices";
      options.forEach((option) => {
        const label = document.createElement("label");
        label.className = "peerkit-choice";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = `${uid}-${item.id}`;
        input.value = option.value;
        input.dataset.item = item.id;
        input.addEventListener("change", () => {
          if (!input.checked) return;
          if (kernel.gone()) { showAnswers(); return; } // nothing can be saved: show what was
          tracker.set(item.id, option.value);
        });
        const text = document.createElement("span");
        text.textContent = option.label;
        label.append(input, text);
        choices.appendChild(label);
      });
      fieldset.appendChild(choices);
      const ratherNot = ratherNotChoice({
        name: `${uid}-${item.id}`, itemId: item.id, label: model.get("rather_not"),
        choose: () => {
          if (kernel.gone()) { showAnswers(); return; } // nothing can be saved: show what was
          tracker.set(item.id, "rather_not");
        },
      });
      if (ratherNot) fieldset.appendChild(ratherNot);
      rows.appendChild(fieldset);
      if (item.debrief) {
        // what the sources say about this situation: listed under the matrix once the learner has given
        // their own answer (there, it never moves the rows a learner is clicking through)
        const debrief = document.createElement("li");
        debrief.className = "peerkit-debrief";
        debrief.dataset.item = item.id;
        const lead = document.createElement("strong");
        lead.textContent = `${index + 1}. ${item.text}: `;
        const words = document.createElement("span");
        words.textContent = item.debrief;
        debrief.append(lead, words);
        debrief.hidden = true;
        debriefList.appendChild(debrief);
      }
    });
  }

  function showAnswers() {
    const answers = model.get("answers");
    rows.querySelectorAll("fieldset[data-item]").forEach((fieldset) => {
      const itemId = fieldset.dataset.item;
      const state = tracker.state(itemId);
      fieldset.dataset.saveState = state;
      fieldset.querySelector(".peerkit-row-state").textContent = ROW_STATE_TEXT[state];
      // one thing at a time in the row's corner: "Saving…" (or "Not saved yet"), else Clear
      fieldset.querySelector(".peerkit-clear").hidden = !(itemId in answers) || state !== "saved";
      fieldset.querySelector(".peerkit-row-tools").hidden = !(itemId in answers) && state === "saved";
      fieldset.querySelectorAll("input[type=radio]").forEach((input) => {
        input.checked = answers[itemId] === input.value;
      });
      const debrief = debriefList.querySelector(`.peerkit-debrief[data-item="${itemId}"]`);
      if (debrief) debrief.hidden = !(itemId in answers) || answers[itemId] === "rather_not" || state !== "saved";
    });
    debriefs.hidden = !debriefList.querySelector(".peerkit-debrief:not([hidden])");
    const total = model.get("items").length;
    const done = model.get("items").filter((item) => item.id in answers && tracker.state(item.id) === "saved").length;
    progress.textContent = `Answered ${done} of ${total}` + (done === total ? " \u2013 all done, thank you." : ".");
  }

  buildRows();
  const unbindHeader = bindHeader(model, { title, instructions, status, saveState });
  showAnswers();
  const rebuild = () => { buildRows(); showAnswers(); };
  model.on("change:items", rebuild);
  model.on("change:options", rebuild);
  model.on("change:rather_not", rebuild);
  model.on("change:answers", showAnswers);
  return () => {
    unbindHeader();
    kernel.stop();
    tracker.stop();
    model.off("change:items", rebuild);
    model.off("change:options", rebuild);
    model.off("change:rather_not", rebuild);
    model.off("change:answers", showAnswers);
  };
}

export default { render };
