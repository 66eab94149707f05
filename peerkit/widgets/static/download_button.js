// Front end of peerkit.widgets.download_button.DownloadButton: a real <button>. Pressing it asks the
// kernel for the file; the file comes back as one binary message and the browser saves it at once
// (an <a download> clicked for the learner). A link to the same file stays under the button, in
// case the browser held the download back. Text is set with textContent only.

function render({ model, el }) {
  const uid = uniqueId("peerkit-download");
  const root = document.createElement("div");
  root.className = "peerkit-download";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "peerkit-download-button";
  button.id = `${uid}-button`;
  const hint = document.createElement("p");
  hint.id = `${uid}-hint`;
  hint.className = "peerkit-download-hint";
  const note = document.createElement("p");
  note.className = "peerkit-download-note";
  note.setAttribute("role", "status");
  note.setAttribute("aria-live", "polite");
  const again = document.createElement("a");
  again.className = "peerkit-download-again";
  again.hidden = true;
  root.append(button, hint, note, again);
  el.appendChild(root);
  const kernel = watchKernel(model, root, null);
  let url = null;

  function show() {
    button.textContent = model.get("description");
    button.disabled = model.get("disabled") || kernel.gone();
    hint.textContent = model.get("hint") || "";
    hint.hidden = !model.get("hint");
    if (model.get("hint")) button.setAttribute("aria-describedby", hint.id);
    else button.removeAttribute("aria-describedby");
  }

  button.addEventListener("click", () => {
    if (kernel.gone()) return;
    note.textContent = "Preparing your file\u2026";
    model.send({ type: "make" });
  });

  function received(content, buffers) {
    if (!content || content.type === "failed") {
      note.textContent = "";
      return;
    }
    if (content.type !== "file" || !buffers || buffers.length !== 1) return;
    if (url) URL.revokeObjectURL(url);
    const data = buffers[0].buffer ? buffers[0].buffer : buffers[0];
    url = URL.createObjectURL(new Blob([data], { type: content.mime || "application/octet-stream" }));
    again.href = url;
    again.download = content.name;
    again.textContent = `If your browser did not save it, save ${content.name} from here`;
    again.hidden = false;
    const link = document.createElement("a");
    link.href = url;
    link.download = content.name;
    link.hidden = true;
    root.appendChild(link);
    link.click();
    link.remove();
    note.textContent = `Downloaded ${content.name}: look in your browser's downloads.`;
  }

  show();
  const events = ["change:description", "change:hint", "change:disabled"];
  events.forEach((event) => model.on(event, show));
  model.on("msg:custom", received);
  return () => {
    kernel.stop();
    events.forEach((event) => model.off(event, show));
    model.off("msg:custom", received);
    if (url) URL.revokeObjectURL(url);
  };
}

export default { render };
