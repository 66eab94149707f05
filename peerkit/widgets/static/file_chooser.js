// Front end of peerkit.widgets.file_chooser.FileChooser: the browser's own file input with a
// <label> (Tab reaches it, Enter or Space opens the file dialog). The chosen file is read here and
// sent to the kernel once, as a binary message; then the input is emptied, so the same file can be
// chosen again after fixing a problem. A file larger than `max_bytes` is not sent, and the reason
// is said. Text is set with textContent only.

function render({ model, el }) {
  const uid = uniqueId("peerkit-file");
  const root = document.createElement("div");
  root.className = "peerkit-file-chooser";
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.setAttribute("data-p-suppress-shortcuts", "true");
  root.addEventListener("keydown", keepKeysInWidget);

  const label = document.createElement("label");
  label.htmlFor = `${uid}-input`;
  label.className = "peerkit-file-label";
  const input = document.createElement("input");
  input.type = "file";
  input.id = `${uid}-input`;
  const hint = document.createElement("p");
  hint.id = `${uid}-hint`;
  hint.className = "peerkit-file-hint";
  const note = document.createElement("p");
  note.className = "peerkit-file-note";
  note.setAttribute("role", "status");
  note.setAttribute("aria-live", "polite");
  root.append(label, input, hint, note);
  el.appendChild(root);
  const kernel = watchKernel(model, root, null);

  function show() {
    label.textContent = model.get("label");
    input.accept = model.get("accept") || "";
    input.disabled = model.get("disabled") || kernel.gone();
    hint.textContent = model.get("hint") || "";
    hint.hidden = !model.get("hint");
    if (model.get("hint")) input.setAttribute("aria-describedby", hint.id);
    else input.removeAttribute("aria-describedby");
  }

  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file || kernel.gone()) return;
    const limit = model.get("max_bytes");
    if (limit && file.size > limit) {
      note.textContent = `${file.name} is larger than ${Math.round(limit / 1048576)} MB, so it was not read. ` +
        "Choose the peerkit-portfolio .json file you downloaded.";
      input.value = "";
      return;
    }
    note.textContent = `Reading ${file.name}\u2026`;
    try {
      const content = await file.arrayBuffer();
      model.send({ type: "file", name: file.name, size: file.size }, undefined, [content]);
      note.textContent = `Sent ${file.name}; the outcome is shown below.`;
    } catch (error) {
      note.textContent = `${file.name} could not be read here (${error && error.message ? error.message : error}).`;
    }
    input.value = "";
  });

  show();
  const events = ["change:label", "change:accept", "change:hint", "change:disabled"];
  events.forEach((event) => model.on(event, show));
  return () => {
    kernel.stop();
    events.forEach((event) => model.off(event, show));
  };
}

export default { render };
