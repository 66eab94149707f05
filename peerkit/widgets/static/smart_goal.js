// Front end of peerkit.widgets.smart_goal.SmartGoalBuilder.
// A list of the learner's goals (each with Edit and Delete, Delete asking to confirm) and an
// editor with one <fieldset>/<legend> per SMART criterion: labelled text boxes, a checkbox
// and two native date pickers. Every change goes to the kernel as a message (text after a
// one-second pause or on leaving the box; checkbox and dates at once); the kernel validates,
// saves and sends back the goals and a report per goal, shown as text. Text is set with
// textContent / .value only, never innerHTML. The finished goal is shown once: in the editor
// while it is open there, in the list otherwise (the completion announcement is for screen
// readers only). A builder whose kernel is gone says so and takes no more changes (common.js).
const PAUSE_MS = 1000;
const FIELD_FOR = {
  SPECIFIC: ["action"],
  MEANINGFUL: ["why"],
  ACHIEVABLE: ["resources"],
  REALISTIC: ["realistic"],
  TIME_LIMITED: ["start", "end"],
};

function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(text, onClick, ariaLabel) {
  const node = make("button", "", text);
  node.type = "button";
  if (ariaLabel) node.setAttribute("aria-label", ariaLabel);
  node.addEventListener("click", onClick);
  return node;
}

function render({ model, el }) {
  const uid = uniqueId("peerkit-goal");
  const root = widgetRoot("peerkit-widget peerkit-smart-goal", uid);

  const title = make("h3");
  title.id = `${uid}-title`;
  const instructions = make("p");
  const listHeading = make("h4", "", "Your goals");
  const empty = make("p", "peerkit-hint", "No goals yet. Start one with the button below.");
  const list = make("ul", "peerkit-goal-list");
  const newGoal = button("Start a new goal", () => {
    flushAll();
    focusAfterEdit = "first-field";
    model.send({ type: "new" });
  });
  const editor = make("section", "peerkit-goal-editor");
  editor.setAttribute("aria-labelledby", `${uid}-editor-title`);
  const announce = make("p", "peerkit-sr-only"); // said, not shown: the editor already shows the goal
  announce.setAttribute("role", "status");
  announce.setAttribute("aria-live", "polite");
  const status = make("p", "peerkit-status");
  status.setAttribute("role", "alert");
  const saveState = saveStateLine(); // "Saving…" until the kernel has written the goals (common.js)
  root.append(title, instructions, saveState, listHeading, empty, list, newGoal, editor, announce, status);
  el.appendChild(root);

  let inputs = {}; // field -> input element of the open editor
  let feedback = null;
  let editorGoal = "";
  let focusAfterEdit = null;
  let confirming = "";
  let wasComplete = false;
  const timers = new Map(); // field -> pending debounce timer for the open goal
  const kernel = watchKernel(model, root, () => {
    timers.forEach((timer) => clearTimeout(timer)); // nothing more can reach the kernel
    timers.clear();
  });

  const goals = () => model.get("goals");
  const goalById = (id) => goals().find((g) => g.id === id);
  const numberOf = (id) => goals().findIndex((g) => g.id === id) + 1;

  function send(field, value) {
    clearTimeout(timers.get(field));
    timers.delete(field);
    if (editorGoal && !kernel.gone()) model.send({ type: "set", id: editorGoal, field, value });
  }

  function flushAll() {
    [...timers.keys()].forEach((field) => send(field, inputs[field].value));
  }

  // -- the list of goals -------------------------------------------------------------------
  function buildList() {
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.role : null;
    const focusedGoal = focused ? document.activeElement.dataset.goal : null;
    list.textContent = "";
    const reports = model.get("reports");
    empty.hidden = goals().length > 0;
    goals().forEach((goal, index) => {
      const report = reports[goal.id] || { complete: false, missing: [], statement: "" };
      const li = make("li");
      li.dataset.goal = goal.id;
      const heading = make("p", "peerkit-goal-statement");
      const open = goal.id === model.get("editing");
      const number = `Goal ${index + 1}: `;
      if (open) heading.textContent = number + "open in the editor below.";
      else if (report.complete) heading.textContent = number + report.statement;
      else heading.textContent = number + "draft \u2013 " + (goal.action.trim() || "no action written yet");
      li.appendChild(heading);
      if (!report.complete && !open) {
        li.appendChild(make("p", "peerkit-meta", `Still open: ${report.missing.join(", ")}.`));
      }
      const edit = button("Edit", () => {
        flushAll();
        focusAfterEdit = "first-field";
        model.send({ type: "edit", id: goal.id });
      }, `Edit goal ${index + 1}`);
      edit.dataset.role = "edit";
      edit.dataset.goal = goal.id;
      const remove = button("Delete", () => {
        confirming = goal.id;
        buildList();
        list.querySelector(`button[data-role=keep][data-goal="${goal.id}"]`)?.focus();
      }, `Delete goal ${index + 1}`);
      remove.dataset.role = "delete";
      remove.dataset.goal = goal.id;
      li.append(edit, remove);
      if (confirming === goal.id) {
        const confirm = make("div", "peerkit-confirm");
        confirm.setAttribute("role", "group");
        confirm.setAttribute("aria-label", `Confirm deleting goal ${index + 1}`);
        const yes = button("Yes, delete it", () => {
          confirming = "";
          if (editorGoal === goal.id) {
            timers.forEach((timer) => clearTimeout(timer));
            timers.clear();
          }
          model.send({ type: "delete", id: goal.id });
          newGoal.focus();
        });
        const no = button("No, keep it", () => {
          confirming = "";
          buildList();
          list.querySelector(`button[data-role=delete][data-goal="${goal.id}"]`)?.focus();
        });
        no.dataset.role = "keep";
        no.dataset.goal = goal.id;
        confirm.addEventListener("keydown", (event) => {
          if (event.key === "Escape") { event.preventDefault(); no.click(); }
        });
        confirm.append(make("p", "", "Delete this goal for good? This cannot be undone."), yes, no);
        li.appendChild(confirm);
      }
      list.appendChild(li);
    });
    if (focused) {
      list.querySelector(`button[data-role=${focused}][data-goal="${focusedGoal}"]`)?.focus();
    }
  }

  // -- the editor --------------------------------------------------------------------------
  function buildEditor() {
    flushAll();
    editor.textContent = "";
    inputs = {};
    feedback = null;
    editorGoal = model.get("editing");
    editor.hidden = !editorGoal;
    if (!editorGoal || !goalById(editorGoal)) return;
    const heading = make("h4", "", `Goal ${numberOf(editorGoal)}`);
    heading.id = `${uid}-editor-title`;
    editor.appendChild(heading);

    model.get("criteria").forEach((criterion) => {
      const fieldset = make("fieldset");
      fieldset.dataset.criterion = criterion.id;
      fieldset.appendChild(make("legend", "", criterion.text));
      let hintId = "";
      const hint = criterion.hint ? make("p", "peerkit-hint", criterion.hint) : null;
      if (hint) {
        hint.id = hintId = `${uid}-${criterion.id}-hint`;
      }
      const fields = FIELD_FOR[criterion.id] || [];
      if (criterion.id === "REALISTIC") {
        const label = make("label", "peerkit-check");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.dataset.field = "realistic";
        if (hintId) box.setAttribute("aria-describedby", hintId);
        box.addEventListener("change", () => send("realistic", box.checked));
        label.append(box, make("span", "", criterion.prompt));
        fieldset.appendChild(label);
        inputs.realistic = box;
      } else if (criterion.id === "TIME_LIMITED") {
        const prompt = make("p", "peerkit-description", criterion.prompt);
        prompt.id = `${uid}-${criterion.id}-prompt`;
        fieldset.setAttribute("aria-describedby", prompt.id);
        fieldset.appendChild(prompt);
        const dates = make("div", "peerkit-dates");
        [["start", "Start date"], ["end", "End date"]].forEach(([field, text]) => {
          const label = make("label");
          const input = document.createElement("input");
          input.type = "date";
          input.dataset.field = field;
          if (hintId) input.setAttribute("aria-describedby", hintId);
          input.addEventListener("change", () => send(field, input.value));
          label.append(make("span", "", text), input);
          dates.appendChild(label);
          inputs[field] = input;
        });
        fieldset.appendChild(dates);
      } else {
        fields.forEach((field) => {
          const label = make("label", "peerkit-field-label", criterion.prompt);
          label.htmlFor = `${uid}-${field}`;
          const box = document.createElement("textarea");
          box.id = `${uid}-${field}`;
          box.rows = 2;
          box.maxLength = 2000;
          box.dataset.field = field;
          if (hintId) box.setAttribute("aria-describedby", hintId);
          box.addEventListener("input", () => {
            clearTimeout(timers.get(field));
            timers.set(field, setTimeout(() => send(field, box.value), PAUSE_MS));
          });
          box.addEventListener("blur", () => { if (timers.has(field)) send(field, box.value); });
          fieldset.append(label, box);
          inputs[field] = box;
        });
      }
      if (hint) fieldset.appendChild(hint);
      editor.appendChild(fieldset);
    });

    feedback = make("div", "peerkit-goal-feedback");
    feedback.id = `${uid}-feedback`;
    // private until ticked: only a ticked goal can reach the group (and only if the learner shares this exercise)
    const shareLabel = make("label", "peerkit-check peerkit-share");
    const shareBox = document.createElement("input");
    shareBox.type = "checkbox";
    shareBox.dataset.field = "share";
    shareBox.addEventListener("change", () => send("share", shareBox.checked));
    shareLabel.append(shareBox, make("span", "", model.get("share_label") || "Share this goal with my group"));
    inputs.share = shareBox;
    editor.append(feedback, shareLabel, button("Done with this goal", () => {
      flushAll();
      focusAfterEdit = editorGoal;
      model.send({ type: "done" });
    }));
    wasComplete = Boolean((model.get("reports")[editorGoal] || {}).complete);
    showGoal();
    if (focusAfterEdit === "first-field") {
      const first = editor.querySelector("textarea, input");
      if (first) first.focus();
      focusAfterEdit = null;
    }
  }

  function showGoal() {
    const goal = goalById(editorGoal);
    if (!goal || !feedback) return;
    Object.entries(inputs).forEach(([field, input]) => {
      if (timers.has(field) || (document.activeElement === input && input.type !== "checkbox")) return;
      if (input.type === "checkbox") input.checked = Boolean(goal[field]);
      else if (input.value !== goal[field]) input.value = goal[field];
    });
    const report = model.get("reports")[editorGoal];
    if (!report) return;
    feedback.textContent = "";
    if (report.complete) {
      feedback.append(make("p", "", "All five parts are in place. Your goal:"),
        make("p", "peerkit-goal-statement", report.statement));
    } else {
      const ul = make("ul", "peerkit-missing");
      report.messages.forEach((message) => ul.appendChild(make("li", "", message)));
      feedback.append(make("p", "", "Still to do (take your time; everything is saved as you go):"), ul);
    }
    if (report.complete && !wasComplete) announce.textContent = `Goal complete: ${report.statement}`;
    else if (!report.complete) announce.textContent = "";
    wasComplete = report.complete;
  }

  function onEditing() {
    const previous = focusAfterEdit;
    buildEditor();
    buildList();
    if (previous && previous !== "first-field" && !model.get("editing")) {
      list.querySelector(`button[data-role=edit][data-goal="${previous}"]`)?.focus();
      focusAfterEdit = null;
    }
  }

  function onGoals() {
    if (editorGoal && !goalById(editorGoal)) buildEditor();
    else showGoal();
    buildList();
  }

  const unbindHeader = bindHeader(model, { title, instructions, status, saveState });
  buildEditor();
  buildList();
  model.on("change:editing", onEditing);
  model.on("change:goals", onGoals);
  model.on("change:reports", onGoals);
  model.on("change:criteria", buildEditor);
  window.addEventListener("pagehide", flushAll);
  return () => {
    unbindHeader();
    kernel.stop();
    flushAll(); // a view closed mid-sentence still saves what was typed
    window.removeEventListener("pagehide", flushAll);
    model.off("change:editing", onEditing);
    model.off("change:goals", onGoals);
    model.off("change:reports", onGoals);
    model.off("change:criteria", buildEditor);
  };
}

export default { render };
