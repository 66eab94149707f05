// Shared by every peerkit widget's front end: Python prepends this file to each widget's
// own module (see peerkit/widgets/_base.py, front_end), because an anywidget module is
// loaded from a string and cannot import a sibling file.
let peerkitInstances = 0;

// An id prefix unique on the page, for label/for and aria-* references.
function uniqueId(prefix) {
  return `${prefix}-${++peerkitInstances}-${Math.random().toString(36).slice(2, 8)}`;
}

// Keys the notebook would otherwise take for itself (moving between cells, entering edit
// mode, single-letter commands). Stopping their propagation at the widget keeps the
// browser's own behaviour (radio groups, typing) and leaves Shift+Enter, Escape and
// shortcuts with Ctrl/Alt/Meta to JupyterLab.
function keepKeysInWidget(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "Escape" || event.key === "Tab" || (event.shiftKey && event.key === "Enter")) return;
  event.stopPropagation();
}

// The root of a widget: a labelled <section> that keeps its keys from the notebook.
function widgetRoot(className, uid) {
  const root = document.createElement("section");
  root.className = className;
  // Lumino (JupyterLab's command registry) skips shortcuts inside such elements.
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.setAttribute("data-p-suppress-shortcuts", "true");
  root.setAttribute("aria-labelledby", `${uid}-title`);
  root.addEventListener("keydown", keepKeysInWidget);
  return root;
}

// Keep a widget's title, instructions and status line in step with the model. Returns the
// function that stops listening, for the view's clean-up.
function bindHeader(model, { title, instructions, status }) {
  const show = () => {
    title.textContent = model.get("title");
    instructions.textContent = model.get("instructions");
    status.textContent = model.get("status");
    status.hidden = !model.get("status");
  };
  const events = ["change:title", "change:instructions", "change:status"];
  show();
  events.forEach((event) => model.on(event, show));
  return () => events.forEach((event) => model.off(event, show));
}
