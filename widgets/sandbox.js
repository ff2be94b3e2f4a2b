// SandboxView: the boundary diagram (an SVG rendered by graphviz in the kernel), the list of
// refusals, and a switch per capability; flipping one asks the kernel to run the module again.

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v);
  }
  for (const c of children) if (c != null) el.append(c);
  return el;
}

// A sentence of the kernel's catalogue (the `labels` trait): `{name}` is a field of `fields`,
// `{n:singular|plural}` the form of a word that goes with the count `n` in the notebook's language,
// `{n:,}` a number with its thousands grouped (as every number is here).
function say(model, key, fields = {}) {
  const labels = model.get("labels") || {};
  const rule = new Intl.PluralRules(labels.lang || "en");
  return (labels[key] ?? key).replace(/\{(\w+)(?::,|:([^{}|]*)\|([^{}]*))?\}/g, (all, name, one, other) => {
    if (!(name in fields)) return all;
    const value = fields[name];
    if (one !== undefined) return rule.select(Number(value)) === "one" ? one : other;
    return typeof value === "number" ? value.toLocaleString() : String(value);
  });
}

function render({ model, el }) {
  el.classList.add("wk-sandbox-view");
  const title = h("div", { class: "wk-title", text: say(model, "title") });
  const caps = h("div", { class: "wk-caps" });
  const status = h("div", { class: "wk-status" });
  const diagram = h("div", { class: "wk-diagram" });
  const refusals = h("div", { class: "wk-refusals" });
  el.append(title, caps, status, diagram, refusals);

  function paintCaps() {
    const grants = model.get("grants");
    const can = model.get("can_rerun");
    const busy = model.get("busy");
    caps.replaceChildren();
    caps.append(h("span", { class: "wk-note", text: say(model, can ? "caps" : "caps_fixed") }));
    for (const c of model.get("caps")) {
      const box = h("input", { type: "checkbox", "data-key": c.key });
      box.checked = grants[c.key] !== false;
      box.disabled = !can || busy;
      box.addEventListener("change", () => {
        model.set("grants", { ...model.get("grants"), [c.key]: box.checked });
        model.save_changes();
      });
      caps.append(h("label", { class: "wk-cap" }, box, ` ${c.label}`));
    }
  }

  function paintDiagram() {
    diagram.innerHTML = model.get("svg");
    markEdge();
    const rows = model.get("refusals");
    refusals.replaceChildren();
    if (!rows.length) {
      refusals.append(h("div", { class: "wk-note", text: say(model, "nothing_refused") }));
      return;
    }
    const body = h("tbody");
    for (const r of rows) {
      const tr = h(
        "tr",
        { class: "wk-refused", "data-edge": r.edge },
        h("td", { text: r.resource }),
        h("td", { text: r.call }),
        h("td", { text: `×${r.count}` }),
        h("td", { text: r.reason }),
      );
      tr.addEventListener("mouseenter", () => markEdge(r.edge));
      tr.addEventListener("mouseleave", () => markEdge());
      body.append(tr);
    }
    refusals.append(
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { text: say(model, "col_resource") }),
            h("th", { text: say(model, "col_call") }),
            h("th", { text: "" }),
            h("th", { text: say(model, "col_reason") }),
          ),
        ),
        body,
      ),
    );
  }

  function markEdge(hover) {
    for (const g of diagram.querySelectorAll("g.wk-selected")) g.classList.remove("wk-selected");
    const id = hover || model.get("selected_edge");
    if (!id) return;
    const g = diagram.querySelector(`g[id="${CSS.escape(id)}"]`);
    if (g) g.classList.add("wk-selected");
    el.dataset.selectedEdge = id;
  }

  const onStatus = () => {
    status.textContent = model.get("status");
    paintCaps();
  };
  model.on("change:svg", paintDiagram);
  model.on("change:refusals", paintDiagram);
  const onEdge = () => markEdge();
  model.on("change:selected_edge", onEdge);
  model.on("change:status", onStatus);
  model.on("change:busy", onStatus);
  model.on("change:grants", paintCaps);
  onStatus();
  paintDiagram();
  return () => {
    model.off("change:svg", paintDiagram);
    model.off("change:refusals", paintDiagram);
    model.off("change:selected_edge", onEdge);
    model.off("change:status", onStatus);
    model.off("change:busy", onStatus);
    model.off("change:grants", paintCaps);
  };
}

export default { render };
