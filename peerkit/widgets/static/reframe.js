// Front end of peerkit.widgets.reframe.Reframe.
// Each phrase is a <fieldset> whose <legend> quotes it; inside, a labelled <textarea> for the
// learner's own reframe (sent after a one-second pause and when the box loses focus) and a
// "Show example answers" button. Until something is written the button is aria-disabled
// rather than disabled, so it stays in the Tab order and a screen reader reads why (its
// aria-describedby hint). The examples come from the kernel only when asked for; once shown the
// button says "Hide example answers" (aria-expanded tells a screen reader which). "Saved."
// appears only once the kernel has saved the text; a widget whose kernel is gone says so and
// keeps what was typed on the page, read-only, to copy (see common.js).
// Text is set with textContent / .value only, never innerHTML.
const PAUSE_MS = 1000;

function render({ model, el }) {
  const uid = uniqueId("peerkit-reframe");
  const root = widgetRoot("peerkit-widget peerkit-reframe", uid);

  const title = document.createElement("h3");
  title.id = `${uid}-title`;
  const instructions = document.createElement("p");
  const saveState = saveStateLine();
  const rows = document.createElement("div");
  const status = document.createElement("p");
  status.className = "peerkit-status";
  status.setAttribute("role", "alert");
  root.append(title, instructions, saveState, rows, status);
  el.appendChild(root);

  const views = new Map();
  const timers = new Map();
  const tracker = answerTracker(model, () => { showSaved(); showAnswers(); });
  const kernel = watchKernel(model, root, () => {
    views.forEach((view, itemId) => {
      if (timers.has(itemId) || tracker.state(itemId) !== "saved") view.lost = true;
      clearTimeout(timers.get(itemId));
      timers.delete(itemId);
    });
    showSaved();
  });

  // What the line under each box says: only what the kernel confirmed.
  function showSaved() {
    views.forEach((view, itemId) => {
      if (timers.has(itemId)) return; // "Saving when you pause…" until it is sent
      const state = tracker.state(itemId);
      if (view.lost) view.saved.textContent = "Not saved: copy this text before you run the cell again.";
      else if (state !== "saved") view.saved.textContent = ROW_STATE_TEXT[state];
      else view.saved.textContent = view.edited && view.textarea.value.trim() ? "Saved." : "";
    });
  }

  function sync(itemId) {
    clearTimeout(timers.get(itemId));
    timers.delete(itemId);
    const view = views.get(itemId);
    if (kernel.gone()) return;
    const text = view.textarea.value;
    view.edited = true;
    tracker.set(itemId, text.trim() ? text : undefined);
    showSaved();
  }

  function flushAll() {
    [...timers.keys()].forEach(sync);
  }

  function showButton(view) {
    if (kernel.gone()) return; // every control stays off
    // Examples already shown can always be hidden again; showing them waits for a reframe.
    const empty = !view.textarea.value.trim() && !(view.itemId in model.get("shown"));
    view.reveal.setAttribute("aria-disabled", String(empty));
    view.hint.hidden = !empty;
  }

  function buildRows() {
    flushAll();
    rows.textContent = "";
    views.clear();
    model.get("items").forEach((item, index) => {
      const fieldset = document.createElement("fieldset");
      fieldset.dataset.item = item.id;
      const legend = document.createElement("legend");
      legend.textContent = `${index + 1}. \u201c${item.text}\u201d`;

      const label = document.createElement("label");
      label.className = "peerkit-field-label";
      label.htmlFor = `${uid}-${item.id}-text`;
      label.textContent = "Your reframe, in recovery language";
      const textarea = document.createElement("textarea");
      textarea.id = `${uid}-${item.id}-text`;
      textarea.rows = 3;
      textarea.maxLength = model.get("max_chars");
      textarea.dataset.item = item.id;
      const saved = document.createElement("p");
      saved.className = "peerkit-meta";

      const reveal = document.createElement("button");
      reveal.type = "button";
      reveal.textContent = "Show example answers";
      const hint = document.createElement("p");
      hint.className = "peerkit-hint";
      hint.id = `${uid}-${item.id}-hint`;
      hint.textContent = "Write your own reframe first; the example answers can be shown after that.";
      reveal.setAttribute("aria-describedby", hint.id);

      const examples = document.createElement("div");
      examples.className = "peerkit-examples-box";
      examples.id = `${uid}-${item.id}-examples`;
      examples.setAttribute("aria-live", "polite");
      reveal.setAttribute("aria-controls", examples.id);
      reveal.setAttribute("aria-expanded", "false");

      const view = { itemId: item.id, textarea, saved, reveal, hint, examples };
      views.set(item.id, view);

      textarea.addEventListener("input", () => {
        clearTimeout(timers.get(item.id));
        timers.set(item.id, setTimeout(() => sync(item.id), PAUSE_MS));
        saved.textContent = "Saving when you pause\u2026";
        showButton(view);
      });
      textarea.addEventListener("blur", () => { if (timers.has(item.id)) sync(item.id); });
      reveal.addEventListener("click", () => {
        if (reveal.getAttribute("aria-disabled") === "true") {
          textarea.focus();
          return;
        }
        if (kernel.gone()) return;
        if (item.id in model.get("shown")) {
          model.send({ type: "hide", item: item.id });
          return;
        }
        if (timers.has(item.id)) sync(item.id); // the kernel must have the text before it reveals
        model.send({ type: "reveal", item: item.id });
      });

      fieldset.append(legend, label, textarea, saved, reveal, hint, examples);
      rows.appendChild(fieldset);
    });
  }

  function showAnswers() {
    const answers = model.get("answers");
    views.forEach((view, itemId) => {
      // Never overwrite what the learner is typing or has not sent yet.
      if (!timers.has(itemId) && document.activeElement !== view.textarea) {
        const text = answers[itemId] || "";
        if (view.textarea.value !== text) view.textarea.value = text;
      }
      showButton(view);
    });
  }

  function showExamples() {
    const shown = model.get("shown");
    views.forEach((view, itemId) => {
      view.examples.textContent = "";
      const list = shown[itemId];
      view.reveal.textContent = list ? "Hide example answers" : "Show example answers";
      view.reveal.setAttribute("aria-expanded", String(Boolean(list)));
      showButton(view);
      if (!list) return;
      const heading = document.createElement("p");
      heading.textContent = "Example answers (yours can be just as good):";
      const ul = document.createElement("ul");
      ul.className = "peerkit-examples";
      list.forEach((example) => {
        const li = document.createElement("li");
        li.textContent = example;
        ul.appendChild(li);
      });
      view.examples.append(heading, ul);
    });
  }

  buildRows();
  const unbindHeader = bindHeader(model, { title, instructions, status, saveState });
  showAnswers();
  showExamples();
  const rebuild = () => { buildRows(); showAnswers(); showExamples(); };
  model.on("change:items", rebuild);
  model.on("change:answers", showAnswers);
  model.on("change:shown", showExamples);
  window.addEventListener("pagehide", flushAll);
  return () => {
    unbindHeader();
    flushAll();
    kernel.stop();
    tracker.stop();
    window.removeEventListener("pagehide", flushAll);
    model.off("change:items", rebuild);
    model.off("change:answers", showAnswers);
    model.off("change:shown", showExamples);
  };
}

export default { render };
