// Front end of peerkit.widgets.self_rating.SelfRating.
// Each item is a <fieldset> whose <legend> names it and whose description is tied to the
// group with aria-describedby; inside, one native radio group (Tab reaches the group, arrow
// keys move along the scale). A rating counts as given once the kernel has saved it (until then
// the item says "Saving…"); a saved rating has a "Clear this rating" button (items may be left
// blank); a widget whose kernel is gone says so and takes no more answers
// (see common.js). Text is always set with textContent, never innerHTML.

function render({ model, el }) {
  const uid = uniqueId("peerkit-rating");
  const root = widgetRoot("peerkit-widget peerkit-rating", uid);

  const title = document.createElement("h3");
  title.id = `${uid}-title`;
  const instructions = document.createElement("p");
  const progress = document.createElement("p");
  progress.className = "peerkit-progress";
  progress.setAttribute("role", "status");
  progress.setAttribute("aria-live", "polite");
  const saveState = saveStateLine();
  const rows = document.createElement("div");
  const questions = document.createElement("div");
  const status = document.createElement("p");
  status.className = "peerkit-status";
  status.setAttribute("role", "alert");

  root.append(title, instructions, progress, saveState, rows, questions, status);
  el.appendChild(root);

  const tracker = answerTracker(model, () => showAnswers());
  const kernel = watchKernel(model, root, () => tracker.revert());

  function buildRows() {
    rows.textContent = "";
    const options = model.get("options");
    model.get("items").forEach((item, index) => {
      const fieldset = document.createElement("fieldset");
      fieldset.dataset.item = item.id;
      const legend = document.createElement("legend");
      legend.id = `${uid}-${item.id}-legend`;
      legend.textContent = `${index + 1}. ${item.text}`;
      fieldset.appendChild(legend);
      if (item.description) {
        const description = document.createElement("p");
        description.className = "peerkit-description";
        description.id = `${uid}-${item.id}-description`;
        description.textContent = item.description;
        fieldset.setAttribute("aria-describedby", description.id);
        fieldset.appendChild(description);
      }
      // "Saving…" / "Not saved yet" and, once a rating is saved, a Clear button (a rating may be
      // left blank); before the options, so Shift+Tab from the scale reaches it, as in the matrix.
      rowTools({ fieldset, legend, itemId: item.id, what: "rating", tracker, kernel });

      const choices = document.createElement("div");
      choices.className = "peerkit-matrix-choices";
      options.forEach((option) => {
        const label = document.createElement("label");
        label.className = "peerkit-choice";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = `${uid}-${item.id}`;
        input.value = String(option.value);
        input.dataset.item = item.id;
        input.addEventListener("change", () => {
          if (!input.checked) return;
          if (kernel.gone()) { showAnswers(); return; } // nothing can be saved: show what was
          // option.value (a number), not input.value (always a string): the store keeps integers
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
    });
  }

  function buildQuestions() {
    questions.textContent = "";
    const list = model.get("questions");
    if (!list.length) return;
    const heading = document.createElement("h4");
    heading.textContent = "Questions to think about";
    const ul = document.createElement("ul");
    list.forEach((question) => {
      const li = document.createElement("li");
      li.textContent = question;
      ul.appendChild(li);
    });
    questions.append(heading, ul);
  }

  function showAnswers() {
    const answers = model.get("answers");
    rows.querySelectorAll("fieldset[data-item]").forEach((fieldset) => {
      const itemId = fieldset.dataset.item;
      const state = tracker.state(itemId);
      fieldset.dataset.saveState = state;
      fieldset.querySelector(".peerkit-row-state").textContent = ROW_STATE_TEXT[state];
      // one thing at a time in the item's corner: "Saving…" (or "Not saved yet"), else Clear
      fieldset.querySelector(".peerkit-clear").hidden = !(itemId in answers) || state !== "saved";
      fieldset.querySelector(".peerkit-row-tools").hidden = !(itemId in answers) && state === "saved";
    });
    rows.querySelectorAll("input[type=radio]").forEach((input) => {
      input.checked = String(answers[input.dataset.item]) === input.value;
    });
    const items = model.get("items");
    const done = items.filter((item) => item.id in answers && tracker.state(item.id) === "saved").length;
    progress.textContent = `Rated ${done} of ${items.length}` + (done === items.length ? " – all done, thank you." : ".");
  }

  buildRows();
  buildQuestions();
  const unbindHeader = bindHeader(model, { title, instructions, status, saveState });
  showAnswers();
  const rebuild = () => { buildRows(); showAnswers(); };
  model.on("change:items", rebuild);
  model.on("change:options", rebuild);
  model.on("change:rather_not", rebuild);
  model.on("change:questions", buildQuestions);
  model.on("change:answers", showAnswers);
  return () => {
    unbindHeader();
    kernel.stop();
    tracker.stop();
    model.off("change:items", rebuild);
    model.off("change:options", rebuild);
    model.off("change:rather_not", rebuild);
    model.off("change:questions", buildQuestions);
    model.off("change:answers", showAnswers);
  };
}

export default { render };
