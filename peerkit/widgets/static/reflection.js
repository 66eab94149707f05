// Front end of peerkit.widgets.reflection.Reflection.
// Each prompt is a <fieldset> whose <legend> is the prompt; inside, a labelled <textarea>,
// a word count tied to it with aria-describedby, a share checkbox (off by default) and a
// Clear button that asks to confirm. Typing is sent to the kernel after a one-second pause
// and at once when the box loses focus, so a reflection is saved while it is written
// without a round trip per key; "Saved." appears only once the kernel has saved it. A widget
// whose kernel is gone says so and keeps what was typed on the page, read-only, to copy (see
// common.js). Text is set with textContent / .value only, never innerHTML.
const PAUSE_MS = 1000;

function countWords(text) {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}

function render({ model, el }) {
  const uid = uniqueId("peerkit-reflection");
  const root = widgetRoot("peerkit-widget peerkit-reflection", uid);

  const title = document.createElement("h3");
  title.id = `${uid}-title`;
  const instructions = document.createElement("p");
  const privacy = document.createElement("p");
  privacy.className = "peerkit-privacy";
  privacy.id = `${uid}-privacy`;
  privacy.textContent =
    "Private by default: nobody else reads your reflections. One goes to your group only if you tick " +
    "\u201cShare this reflection with my group\u201d under it, and never with your name.";
  const saveState = saveStateLine();
  const rows = document.createElement("div");
  const status = document.createElement("p");
  status.className = "peerkit-status";
  status.setAttribute("role", "alert");
  root.append(title, instructions, privacy, saveState, rows, status);
  el.appendChild(root);

  const views = new Map(); // item id -> { textarea, share, count, clear, confirm, ... }
  const timers = new Map(); // item id -> pending debounce timer
  const tracker = answerTracker(model, () => { showSaved(); showAnswers(); });
  // Gone: the text stays as typed (read-only, to copy); what never reached the kernel says so.
  const kernel = watchKernel(model, root, () => {
    views.forEach((view, itemId) => {
      if (timers.has(itemId) || tracker.state(itemId) !== "saved") view.lastAction = "lost";
      clearTimeout(timers.get(itemId));
      timers.delete(itemId);
    });
    showSaved();
  });
  const SAVED_TEXT = {
    save: "Saved.", delete: "Deleted.", failed: "Not saved yet (see below).",
    lost: "Not saved: copy this text before you run the cell again.",
  };

  // What the line under each box says: only what the kernel confirmed.
  function showSaved() {
    views.forEach((view, itemId) => {
      if (timers.has(itemId)) return; // "Saving when you pause…" until it is sent
      const state = tracker.state(itemId);
      if (view.lastAction === "lost") view.saved.textContent = SAVED_TEXT.lost;
      else if (state === "failed") view.saved.textContent = SAVED_TEXT.failed; // the status line says why
      else if (state !== "saved") view.saved.textContent = ROW_STATE_TEXT[state];
      else view.saved.textContent = SAVED_TEXT[view.lastAction] || "";
    });
  }

  function stored(itemId) {
    return model.get("answers")[itemId] || { text: "", share: false };
  }

  // Send one item's text (and share choice) to the kernel; a blank text deletes the reflection.
  function sync(itemId) {
    clearTimeout(timers.get(itemId));
    timers.delete(itemId);
    const view = views.get(itemId);
    if (kernel.gone()) return;
    const text = view.textarea.value;
    if (!text.trim()) view.share.checked = false; // text written again later starts private again
    view.lastAction = text.trim() ? "save" : "";
    tracker.set(itemId, text.trim() ? { text, share: view.share.checked } : undefined);
    showSaved();
  }

  function flushAll() {
    [...timers.keys()].forEach(sync);
  }

  function showMeta(view) {
    const words = countWords(view.textarea.value);
    view.count.textContent = `${words} word${words === 1 ? "" : "s"}`;
    const empty = !view.textarea.value.trim();
    view.share.disabled = empty || kernel.gone();
    view.shareHint.hidden = !empty;
    view.clear.hidden = empty && !(view.itemId in model.get("answers"));
  }

  function closeConfirm(view, focus) {
    view.confirm.hidden = true;
    if (focus) focus.focus();
  }

  function buildRows() {
    flushAll();
    rows.textContent = "";
    views.clear();
    model.get("items").forEach((item, index) => {
      const fieldset = document.createElement("fieldset");
      fieldset.dataset.item = item.id;
      const legend = document.createElement("legend");
      legend.textContent = `${index + 1}. ${item.text}`;

      const label = document.createElement("label");
      label.className = "peerkit-field-label";
      label.htmlFor = `${uid}-${item.id}-text`;
      label.textContent = "Your reflection";
      const textarea = document.createElement("textarea");
      textarea.id = `${uid}-${item.id}-text`;
      textarea.rows = 5;
      textarea.maxLength = model.get("max_chars");
      textarea.placeholder = item.placeholder || "";
      textarea.dataset.item = item.id;

      const meta = document.createElement("p");
      meta.className = "peerkit-meta";
      const count = document.createElement("span");
      count.id = `${uid}-${item.id}-count`;
      const saved = document.createElement("span");
      saved.className = "peerkit-saved";
      meta.append(count, saved); // apart by the CSS gap: "12 words" never runs into "Saved."
      textarea.setAttribute("aria-describedby", `${count.id} ${privacy.id}`);

      const shareLabel = document.createElement("label");
      shareLabel.className = "peerkit-check";
      const share = document.createElement("input");
      share.type = "checkbox";
      share.dataset.item = item.id;
      const shareText = document.createElement("span");
      shareText.textContent = model.get("share_label") || "Share this reflection with my group";
      shareLabel.append(share, shareText);
      const shareHint = document.createElement("p");
      shareHint.className = "peerkit-hint";
      shareHint.id = `${uid}-${item.id}-share-hint`;
      shareHint.textContent = "You can choose to share once you have written something.";
      share.setAttribute("aria-describedby", shareHint.id);

      const clear = document.createElement("button");
      clear.type = "button";
      clear.textContent = "Clear this reflection";
      const confirm = document.createElement("div");
      confirm.className = "peerkit-confirm";
      confirm.setAttribute("role", "group");
      confirm.setAttribute("aria-label", "Confirm deleting this reflection");
      confirm.hidden = true;
      const question = document.createElement("p");
      question.textContent = "Delete this reflection from your saved answers? This cannot be undone.";
      const yes = document.createElement("button");
      yes.type = "button";
      yes.textContent = "Yes, delete it";
      const no = document.createElement("button");
      no.type = "button";
      no.textContent = "No, keep it";
      confirm.append(question, yes, no);

      const view = { itemId: item.id, textarea, share, shareHint, count, saved, clear, confirm };
      views.set(item.id, view);

      textarea.addEventListener("input", () => {
        clearTimeout(timers.get(item.id));
        timers.set(item.id, setTimeout(() => sync(item.id), PAUSE_MS));
        saved.textContent = "Saving when you pause\u2026";
        showMeta(view);
      });
      textarea.addEventListener("blur", () => { if (timers.has(item.id)) sync(item.id); });
      share.addEventListener("change", () => sync(item.id));
      clear.addEventListener("click", () => { confirm.hidden = false; no.focus(); });
      no.addEventListener("click", () => closeConfirm(view, clear));
      confirm.addEventListener("keydown", (event) => {
        if (event.key === "Escape") { event.preventDefault(); closeConfirm(view, clear); }
      });
      yes.addEventListener("click", () => {
        if (kernel.gone()) return;
        clearTimeout(timers.get(item.id));
        timers.delete(item.id);
        textarea.value = "";
        share.checked = false;
        view.lastAction = "delete";
        tracker.set(item.id, undefined);
        showSaved();
        closeConfirm(view, textarea);
        showMeta(view);
      });

      fieldset.append(legend, label, textarea, meta, shareLabel, shareHint, clear, confirm);
      rows.appendChild(fieldset);
    });
  }

  function showAnswers() {
    views.forEach((view, itemId) => {
      // Never overwrite what the learner is typing or has not sent yet.
      if (timers.has(itemId) || document.activeElement === view.textarea) {
        showMeta(view);
        return;
      }
      const value = stored(itemId);
      if (view.textarea.value !== value.text) view.textarea.value = value.text;
      view.share.checked = Boolean(value.share);
      showMeta(view);
    });
  }

  buildRows();
  const unbindHeader = bindHeader(model, { title, instructions, status, saveState });
  showAnswers();
  const rebuild = () => { buildRows(); showAnswers(); };
  model.on("change:items", rebuild);
  model.on("change:answers", showAnswers);
  window.addEventListener("pagehide", flushAll);
  return () => {
    unbindHeader();
    flushAll(); // a view closed mid-sentence still saves what was typed
    kernel.stop();
    tracker.stop();
    window.removeEventListener("pagehide", flushAll);
    model.off("change:items", rebuild);
    model.off("change:answers", showAnswers);
  };
}

export default { render };
