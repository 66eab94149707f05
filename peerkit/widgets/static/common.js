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

// What the widget-level save indicator says for each value of the kernel's `save_state`
// trait ("" says nothing: nothing has been saved from this view yet).
const SAVE_STATE_TEXT = {
  saving: "Saving\u2026",
  saved: "Your answers are saved.",
  failed: "Not saved yet: see the message below.",
};

// Keep a widget's title, instructions, status line and save indicator in step with the model.
// `status` and `save_state` are written by the kernel only: they say what it really did.
// Returns the function that stops listening, for the view's clean-up.
function bindHeader(model, { title, instructions, status, saveState }) {
  const show = () => {
    title.textContent = model.get("title");
    instructions.textContent = model.get("instructions");
    status.textContent = model.get("status");
    status.hidden = !model.get("status");
    if (saveState) {
      const state = model.get("save_state") || "";
      saveState.textContent = SAVE_STATE_TEXT[state] || "";
      saveState.dataset.state = state;
    }
  };
  const events = ["change:title", "change:instructions", "change:status", "change:save_state"];
  show();
  events.forEach((event) => model.on(event, show));
  return () => events.forEach((event) => model.off(event, show));
}

// The small live line that says whether the kernel has saved (see bindHeader).
function saveStateLine() {
  const line = document.createElement("p");
  line.className = "peerkit-save-state";
  line.setAttribute("role", "status");
  line.setAttribute("aria-live", "polite");
  return line;
}

// -- Is the kernel behind this widget still there? ---------------------------------------
// After Kernel > Restart (or when the kernel dies) the Python object behind a widget is gone,
// yet the page keeps the view: without this, a click would show as chosen and go nowhere.
// What JupyterLab 4 and @jupyter-widgets give us (through anywidget's model proxy):
// - the widget manager sets `comm_live = false` on every model when the kernel restarts; the
//   model then triggers "comm_live_update" (it is only ever set true at creation, so the
//   event alone means "cut off") and its save_changes() quietly sends nothing;
// - a model whose comm the kernel closed triggers "comm:close", a closed model "destroy";
// - `model.widget_manager.kernel` is the session's kernel connection, whose statusChanged and
//   connectionStatusChanged signals report "restarting", "autorestarting", "dead" (a crash the
//   server restarts does not pass through the manager's own "restarting" handler) and
//   "disconnected" (the connection was shut down or the kernel replaced).
// Once gone, always gone for this view: a restarted kernel is a new process with no widget.
const KERNEL_GONE_STATES = new Set(["restarting", "autorestarting", "dead", "terminating"]);
const KERNEL_GONE_TEXT = {
  restarted: "Your answers can't be saved from here any more: the notebook's kernel restarted. " +
    "Run this cell again to keep answering.",
  stopped: "Your answers can't be saved from here any more: the notebook's kernel stopped. " +
    "Run this cell again to keep answering.",
  closed: "Your answers can't be saved from here any more: this exercise was closed in the notebook's kernel. " +
    "Run this cell again to keep answering.",
};

// Turn every control in `root` off, for the mouse, the keyboard and a screen reader. Text boxes
// become read-only rather than disabled, so that what was typed can still be selected and copied.
function refuseAnswers(root) {
  root.querySelectorAll("input, textarea, button, select").forEach((control) => {
    const typed = control.tagName === "TEXTAREA" || (control.tagName === "INPUT" && control.type === "text");
    if (typed) {
      control.readOnly = true;
      control.setAttribute("aria-readonly", "true");
    } else {
      control.disabled = true;
    }
    control.setAttribute("aria-disabled", "true");
  });
}

// Watch the kernel for a widget. `root` gets a live notice right under its title; when the kernel
// is gone the notice says so, every control is turned off (also controls drawn later) and
// `onGone(reason)` runs, for the widget to undo anything the kernel never confirmed.
// Returns { gone(): boolean, stop(): void }.
function watchKernel(model, root, onGone) {
  const notice = document.createElement("p");
  notice.className = "peerkit-gone";
  notice.setAttribute("role", "alert"); // announced at once: the learner may be mid-answer
  const title = root.querySelector("h3");
  root.insertBefore(notice, title ? title.nextSibling : root.firstChild);

  let gone = false;
  let observer = null;
  const cleanups = [];
  const markGone = (reason) => {
    if (gone) return;
    gone = true;
    notice.textContent = KERNEL_GONE_TEXT[reason] || KERNEL_GONE_TEXT.restarted;
    root.dataset.kernel = "gone";
    root.setAttribute("aria-disabled", "true");
    try {
      if (onGone) onGone(reason);
    } finally {
      refuseAnswers(root);
      observer = new MutationObserver(() => refuseAnswers(root)); // rows redrawn later stay off too
      observer.observe(root, { childList: true, subtree: true });
    }
  };

  const cutOff = () => markGone("restarted");
  const closed = () => markGone("closed");
  model.on("comm_live_update", cutOff);
  model.on("comm:close", closed);
  model.on("destroy", closed);
  cleanups.push(() => {
    model.off("comm_live_update", cutOff);
    model.off("comm:close", closed);
    model.off("destroy", closed);
  });

  const manager = model.widget_manager;
  const kernel = manager ? manager.kernel : null;
  const fromStatus = (status) => (status === "dead" || status === "terminating" ? "stopped" : "restarted");
  if (kernel && kernel.statusChanged && kernel.connectionStatusChanged) {
    const onStatus = (_sender, status) => { if (KERNEL_GONE_STATES.has(status)) markGone(fromStatus(status)); };
    const onConnection = (_sender, status) => { if (status === "disconnected") markGone("stopped"); };
    kernel.statusChanged.connect(onStatus);
    kernel.connectionStatusChanged.connect(onConnection);
    cleanups.push(() => {
      kernel.statusChanged.disconnect(onStatus);
      kernel.connectionStatusChanged.disconnect(onConnection);
    });
    if (kernel.isDisposed || kernel.connectionStatus === "disconnected") markGone("stopped");
    else if (KERNEL_GONE_STATES.has(kernel.status)) markGone(fromStatus(kernel.status));
  }
  return {
    gone: () => gone,
    stop: () => {
      cleanups.forEach((cleanup) => cleanup());
      if (observer) observer.disconnect();
    },
  };
}

// -- A click is chosen only once the kernel has it -----------------------------------------
// Each widget keeps its answers in one `answers` trait ({item: value}). answerTracker sends a
// changed item to the kernel and says, per item, whether the kernel has dealt with it:
// save_changes() takes @jupyter-widgets callbacks, and the kernel's "idle" status for our
// update message comes after it ran the widget's Python code (and after any value it sent
// back). If the kernel then reports `save_state` "saving" (it saves off the event path) we
// wait for "saved"/"failed". Until then the item is "saving"; if the kernel is gone first,
// `revert()` puts every unconfirmed item back to what the kernel last confirmed.
function answerTracker(model, onChange) {
  let sent = 0; // sequence number of the last update sent
  let handled = 0; // the last one the kernel has run
  let confirmed = 0; // the last one whose save the kernel has finished (saved or failed)
  const clickedAt = new Map(); // item -> sequence of its latest change not yet confirmed
  const failed = new Set(); // items the kernel could not save (it keeps them and says why)
  let kept = { ...model.get("answers") }; // the values the kernel last confirmed

  const settle = () => {
    const state = model.get("save_state");
    if (state === "saving") return;
    if (handled <= confirmed) {
      // The kernel's later word on changes already settled: what it kept after a failure is
      // now written (its saver retries by itself), so those items are saved after all.
      if (state === "saved" && failed.size) {
        failed.clear();
        onChange();
      }
      return;
    }
    confirmed = handled;
    if (state !== "failed") failed.clear(); // a save that worked also wrote the ones kept waiting
    const now = model.get("answers");
    clickedAt.forEach((at, item) => {
      if (at > confirmed) return;
      clickedAt.delete(item);
      if (state === "failed") failed.add(item);
      else failed.delete(item);
    });
    // What the kernel holds for every item no longer waiting (it may have sent changes back).
    const next = {};
    new Set([...Object.keys(kept), ...Object.keys(now)]).forEach((item) => {
      const value = clickedAt.has(item) ? kept[item] : now[item];
      if (value !== undefined) next[item] = value;
    });
    kept = next;
    onChange();
  };
  const onAnswers = () => {
    if (!clickedAt.size) kept = { ...model.get("answers") }; // a change from the kernel's side
  };
  model.on("change:save_state", settle);
  model.on("change:answers", onAnswers);

  return {
    // Set one item (value undefined: remove it) and send the answers to the kernel.
    set(item, value) {
      const answers = { ...model.get("answers") };
      if (JSON.stringify(answers[item]) === JSON.stringify(value)) return;
      if (value === undefined) delete answers[item];
      else answers[item] = value;
      const mine = ++sent;
      clickedAt.set(item, mine);
      model.set("answers", answers);
      model.save_changes({
        iopub: {
          status: (message) => {
            if (message.content.execution_state !== "idle" || mine <= handled) return;
            handled = mine;
            settle();
          },
        },
      });
      onChange();
    },
    // "saving" | "failed" | "saved" for one item
    state(item) {
      if (clickedAt.has(item)) return "saving";
      return failed.has(item) ? "failed" : "saved";
    },
    pending: () => clickedAt.size > 0,
    // The kernel is gone: show only what it confirmed.
    revert() {
      clickedAt.clear();
      model.set("answers", { ...kept });
      onChange();
    },
    stop() {
      model.off("change:save_state", settle);
      model.off("change:answers", onAnswers);
    },
  };
}

// A row's tools: its save state ("Saving…" / "Not saved yet") and a Clear button, for a row whose
// answer may be left blank. Put before the options, so Shift+Tab from them reaches Clear. The button
// is named by its visible word ("Clear this answer") and described by the row's legend.
function rowTools({ fieldset, legend, itemId, what, tracker, kernel }) {
  const tools = document.createElement("div");
  tools.className = "peerkit-row-tools";
  const state = document.createElement("span");
  state.className = "peerkit-row-state";
  const clear = document.createElement("button");
  clear.type = "button";
  clear.className = "peerkit-clear";
  clear.textContent = "Clear";
  clear.setAttribute("aria-label", `Clear this ${what}`);
  clear.dataset.item = itemId;
  clear.setAttribute("aria-describedby", legend.id);
  clear.addEventListener("click", () => {
    if (kernel.gone()) return;
    tracker.set(itemId, undefined);
    fieldset.querySelector("input[type=radio]").focus(); // the button hides; focus stays in the row
  });
  tools.append(state, clear);
  fieldset.appendChild(tools);
  return { state, clear };
}

// The words a row shows for its tracker state (saved says nothing: the choice shows it).
const ROW_STATE_TEXT = { saving: "Saving\u2026", failed: "Not saved yet", saved: "" };

// "I'd rather not answer" for one row of a sensitive exercise: one more radio of the row's own group
// (same name, so Tab reaches the group once and the arrow keys move on to it from the scale), on a
// line of its own under the scale so that it never reads as a point on it. ``choose`` is called when
// it is picked. Returns the line, or null when the exercise does not offer it (label "").
function ratherNotChoice({ name, itemId, label, choose }) {
  if (!label) return null;
  const line = document.createElement("div");
  line.className = "peerkit-rather-not";
  const choice = document.createElement("label");
  choice.className = "peerkit-choice";
  const input = document.createElement("input");
  input.type = "radio";
  input.name = name;
  input.value = "rather_not";
  input.dataset.item = itemId;
  input.dataset.ratherNot = "true";
  input.addEventListener("change", () => { if (input.checked) choose(); });
  const text = document.createElement("span");
  text.textContent = label;
  choice.append(input, text);
  line.appendChild(choice);
  return line;
}
