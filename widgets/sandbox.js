// SandboxView: the boundary diagram (an SVG rendered by graphviz in the kernel), the list of
// refusals, and a switch per capability; flipping one asks the kernel to run the module again.

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
