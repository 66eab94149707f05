// Front end of peerkit.widgets.sharing_choices.SharingChoices: what a learner shares with their
// group, and whether researchers may use it. Every choice is a native checkbox inside its own
// <label>, whose words wrap onto as many lines as they need: nothing is ever cut off, so every
// consent text is read whole. The exercises come in course order, one <fieldset> per chapter
// (its <legend> is the chapter); each box says who may see that exercise and where. "Share all"
// ticks every exercise but the personal ones, which say so and are ticked one by one if at all.
// The research tick is separate, off until the learner ticks it, and can be unticked at any time.
// Text is set with textContent only, never innerHTML.

function render({ model, el }) {
  const uid = uniqueId("peerkit-sharing");
  const root = widgetRoot("peerkit-widget peerkit-sharing", uid);

  const title = document.createElement("h4");
  title.id = `${uid}-title`;
  title.textContent = "What to share";
  const intro = document.createElement("p");
  const allLine = document.createElement("div");
  const chapters = document.createElement("div");
  const research = document.createElement("fieldset");
  research.className = "peerkit-consent-group peerkit-research";
  root.append(title, intro, allLine, chapters, research);
  el.appendChild(root);

  const boxes = new Map(); // exercise id -> checkbox
  let allBox = null;
  let researchBox = null;

  function consentLabel({ id, heading, words, extra, name }) {
    const label = document.createElement("label");
    label.className = "peerkit-consent";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.id = id;
    if (name) input.name = name;
    const text = document.createElement("span");
    text.className = "peerkit-consent-text";
    if (heading) {
      const strong = document.createElement("strong");
      strong.textContent = heading;
      text.append(strong, document.createTextNode(" "));
    }
    text.append(document.createTextNode(words));
    if (extra) {
      const note = document.createElement("span");
      note.className = "peerkit-consent-personal";
      note.textContent = ` ${extra}`;
      text.appendChild(note);
    }
    label.append(input, text);
    return { label, input };
  }

  function build() {
    intro.textContent = model.get("intro");
    allLine.textContent = "";
    chapters.textContent = "";
    research.textContent = "";
    boxes.clear();
    const all = consentLabel({ id: `${uid}-all`, heading: "", words: model.get("all_label") });
    all.label.classList.add("peerkit-consent-all");
    allBox = all.input;
    allBox.addEventListener("change", () => {
      if (allBox.checked) {
        const wanted = new Set(model.get("share"));
        model.get("chapters").forEach((chapter) => chapter.exercises.forEach((exercise) => {
          if (!exercise.personal) wanted.add(exercise.id);
        }));
        setShare([...wanted]);
      } else {
        show(); // unticking "share all" unticks nothing: each box says what it shares
      }
    });
    allLine.appendChild(all.label);

    model.get("chapters").forEach((chapter) => {
      const fieldset = document.createElement("fieldset");
      fieldset.className = "peerkit-consent-group";
      fieldset.dataset.chapter = chapter.id;
      const legend = document.createElement("legend");
      legend.textContent = chapter.title;
      fieldset.appendChild(legend);
      chapter.exercises.forEach((exercise) => {
        const box = consentLabel({
          id: `${uid}-${exercise.id}`, heading: `Share: ${exercise.title}${/[.?!]$/.test(exercise.title) ? "" : "."}`, words: exercise.who,
          extra: exercise.personal ? model.get("personal_note") : "",
        });
        box.input.dataset.exercise = exercise.id;
        if (exercise.personal) box.label.dataset.personal = "true";
        box.input.addEventListener("change", () => {
          const wanted = new Set(model.get("share"));
          if (box.input.checked) wanted.add(exercise.id); else wanted.delete(exercise.id);
          setShare([...wanted]);
        });
        boxes.set(exercise.id, box.input);
        fieldset.appendChild(box.label);
      });
      chapters.appendChild(fieldset);
    });

    researchBox = null;
    if (model.get("research_offered")) {
      const legend = document.createElement("legend");
      legend.textContent = model.get("research_title");
      const about = document.createElement("p");
      about.className = "peerkit-consent-about";
      about.textContent = model.get("research_about");
      const tick = consentLabel({ id: `${uid}-research`, heading: "", words: model.get("research_label") });
      tick.label.classList.add("peerkit-consent-research");
      researchBox = tick.input;
      researchBox.addEventListener("change", () => {
        model.set("research", researchBox.checked);
        model.save_changes();
      });
      research.append(legend, about, tick.label);
      research.hidden = false;
    } else {
      research.hidden = true;
    }
    show();
  }

  function setShare(list) {
    model.set("share", list);
    model.save_changes();
    show();
  }

  function show() {
    const share = new Set(model.get("share"));
    const disabled = model.get("disabled");
    let everyShared = boxes.size > 0;
    model.get("chapters").forEach((chapter) => chapter.exercises.forEach((exercise) => {
      if (!exercise.personal && !share.has(exercise.id)) everyShared = false;
    }));
    boxes.forEach((input, id) => { input.checked = share.has(id); input.disabled = disabled; });
    if (allBox) { allBox.checked = everyShared; allBox.disabled = disabled; }
    if (researchBox) { researchBox.checked = model.get("research"); researchBox.disabled = disabled; }
  }

  build();
  const names = ["chapters", "intro", "all_label", "personal_note", "research_offered", "research_title",
                 "research_about", "research_label"];
  names.forEach((name) => model.on(`change:${name}`, build));
  ["share", "research", "disabled"].forEach((name) => model.on(`change:${name}`, show));
  return () => {
    names.forEach((name) => model.off(`change:${name}`, build));
    ["share", "research", "disabled"].forEach((name) => model.off(`change:${name}`, show));
  };
}

export default { render };
