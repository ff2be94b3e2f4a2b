// CompiledView: a C or Rust cell beside the WAT it became. A source line and the instructions
// that came from it share a colour; each run of instructions is labelled FILE:LINE. Clicking a
// source line or an instruction sets `selected_line`, which outlines both sides and scrolls the
// other side to it.

const PALETTE = 8;

// the lines that have code take the colours in turn, so that neighbours never share one
let rank = new Map();
const colour = (line) => `wk-c${(rank.get(line) ?? line) % PALETTE}`;

function render({ model, el }) {
  el.classList.add("wk-compiled-view");
  const title = h("div", { class: "wk-title" });
  const src = h("div", { class: "wk-src", role: "list" });
  const wat = h("div", { class: "wk-wat", role: "list" });
  const cols = h(
    "div",
    { class: "wk-cols" },
    h("div", { class: "wk-col" }, h("div", { class: "wk-head", text: say(model, "source") }), src),
    h("div", { class: "wk-col wk-col-wat" }, h("div", { class: "wk-head", text: say(model, "wat") }), wat),
  );
  el.append(title, cols);

  const select = (line) => {
    model.set("selected_line", model.get("selected_line") === line ? -1 : line);
    model.save_changes();
  };

  function paint() {
    const name = model.get("filename");
    const functions = model.get("functions");
    const lined = new Set();
    for (const f of functions) for (const [, , line] of f.lines) if (line) lined.add(line);
    rank = new Map([...lined].sort((a, b) => a - b).map((line, i) => [line, i]));
    title.textContent = say(model, "title", { file: name, n: functions.length, left: model.get("left_out") });
    src.replaceChildren(
      ...model.get("source").map((text, i) => {
        const line = i + 1;
        const has = lined.has(line);
        const row = h(
          "div",
          {
            class: `wk-row wk-src-line${has ? ` ${colour(line)} wk-has-code` : ""}`,
            "data-line": String(line),
            role: "listitem",
            title: has ? say(model, "line_tip", { line }) : say(model, "no_code", { line }),
          },
          h("span", { class: "wk-num", text: String(line) }),
          h("span", { class: "wk-text", text: text || " " }),
        );
        if (has) row.addEventListener("click", () => select(line));
        return row;
      }),
    );
    const rows = [];
    for (const f of functions) {
      let previous = null;
      for (const [text, offset, line] of f.lines) {
        const label = line && line !== previous ? `${name}:${line}` : "";
        if (line) previous = line;
        const row = h(
          "div",
          {
            class: `wk-row wk-ins${line ? ` ${colour(line)}` : ""}${label ? " wk-run-start" : ""}`,
            role: "listitem",
            "data-line": line ? String(line) : "",
            "data-offset": offset == null ? "" : String(offset),
            title: offset == null ? "" : say(model, "offset_tip", { offset: `0x${offset.toString(16)}` }),
          },
          h("span", { class: "wk-text", text }),
          label ? h("span", { class: "wk-label", text: label }) : null,
        );
        if (line) row.addEventListener("click", () => select(line));
        rows.push(row);
      }
    }
    wat.replaceChildren(...rows);
    paintSelection(false);
  }

  function paintSelection(scroll = true) {
    const line = model.get("selected_line");
    for (const row of el.querySelectorAll(".wk-row.wk-sel")) row.classList.remove("wk-sel");
    el.dataset.selected = String(line);
    if (line < 0) return;
    const mine = el.querySelectorAll(`.wk-row[data-line="${line}"]`);
    for (const row of mine) row.classList.add("wk-sel");
    if (!scroll) return;
    const first = (box) => box.querySelector(`.wk-row[data-line="${line}"]`);
    for (const box of [src, wat]) {
      const row = first(box);
      if (row && (row.offsetTop < box.scrollTop || row.offsetTop > box.scrollTop + box.clientHeight - 20)) {
        box.scrollTop = Math.max(0, row.offsetTop - 40); // the box is the rows' offsetParent
      }
    }
  }

  const names = ["functions", "source", "filename", "left_out"];
  for (const n of names) model.on(`change:${n}`, paint);
  const onSelected = () => paintSelection(true);
  model.on("change:selected_line", onSelected);
  paint();
  return () => {
    for (const n of names) model.off(`change:${n}`, paint);
    model.off("change:selected_line", onSelected);
  };
}

export default { render };
