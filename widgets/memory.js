// MemoryView: hex + ASCII of linear memory. The view shows ROWS rows of 16 bytes; the pages
// under them are asked for by custom message and arrive as one binary buffer each (never the
// whole memory). Regions tint the bytes, the selected syscall's bytes are outlined, bytes that
// changed since the start of the run are marked.

const ROWS = 20;
const WIDTH = 16;

const hex8 = (n) => n.toString(16).padStart(8, "0");

function parseAddress(text) {
  const s = text.trim().toLowerCase().replace(/_/g, "");
  if (!s) return null;
  const n = s.startsWith("0x") ? parseInt(s.slice(2), 16) : /[a-f]/.test(s) ? parseInt(s, 16) : parseInt(s, 10);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function render({ model, el }) {
  const started = performance.now();
  el.classList.add("wk-memory-view");
  const title = h("div", { class: "wk-title" });
  const legend = h("div", { class: "wk-legend" });
  const gotoBox = h("input", { class: "wk-goto", type: "text", placeholder: say(model, "goto"), size: "18" });
  const gotoBtn = h("button", { class: "wk-btn", text: say(model, "go") });
  const diffBox = h("input", { type: "checkbox", class: "wk-diff-toggle" });
  const diffLabel = h("label", { class: "wk-diff-label" }, diffBox, h("span"));
  const nextBtn = h("button", { class: "wk-btn wk-next-change", text: say(model, "next_change") });
  const bar = h("div", { class: "wk-bar" }, gotoBox, gotoBtn, diffLabel, nextBtn);
  const hl = h("div", { class: "wk-hl-label" });
  const grid = h("div", { class: "wk-grid", tabindex: "0" });
  const slider = h("input", { type: "range", class: "wk-slider", min: "0", step: "1", "aria-label": say(model, "position") });
  const note = h("div", { class: "wk-note" });
  el.append(title, legend, bar, hl, grid, slider, note);

  const pages = new Map(); // "after:3" -> Uint8Array
  const asked = new Set();
  let topRow = 0;

  const size = () => model.get("size");
  const pageSize = () => model.get("page_size");
  const totalRows = () => Math.ceil(size() / WIDTH);

  function byteAt(which, addr) {
    const ps = pageSize();
    const idx = Math.floor(addr / ps);
    const page = pages.get(`${which}:${idx}`);
    if (!page) {
      const key = `${which}:${idx}`;
      if (!asked.has(key)) {
        asked.add(key);
        model.send({ kind: "page", index: idx, which });
      }
      return undefined;
    }
    return page[addr - idx * ps];
  }

  function regionOf(addr) {
    for (const r of model.get("regions")) if (addr >= r.start && addr < r.end) return r.kind;
    return null;
  }

  function highlightOf(addr) {
    for (const m of model.get("highlights")) if (addr >= m.addr && addr < m.addr + m.len) return m.access;
    return null;
  }

  function paint() {
    const n = size();
    if (!n) {
      grid.replaceChildren(h("div", { class: "wk-note", text: say(model, "empty") }));
      return;
    }
    topRow = Math.max(0, Math.min(topRow, Math.max(0, totalRows() - ROWS)));
    slider.max = String(Math.max(0, totalRows() - ROWS));
    slider.value = String(topRow);
    const showDiff = model.get("diff") && model.get("has_before");
    const changed = new Set(model.get("changed_pages"));
    const ps = pageSize();
    const lines = [];
    let highlighted = 0;
    for (let r = topRow; r < Math.min(totalRows(), topRow + ROWS); r++) {
      const base = r * WIDTH;
      const hexCells = [];
      const ascCells = [];
      const rowRegion = regionOf(base);
      for (let k = 0; k < WIDTH; k++) {
        const addr = base + k;
        if (addr >= n) break;
        const v = byteAt("after", addr);
        const cls = ["wk-b"];
        const reg = regionOf(addr);
        if (reg) cls.push(`wk-r-${reg}`);
        const acc = highlightOf(addr);
        if (acc) {
          cls.push("wk-hl", acc === "w" ? "wk-hl-w" : "wk-hl-r");
          highlighted++;
        }
        let title = `0x${addr.toString(16)}`;
        if (showDiff && changed.has(Math.floor(addr / ps))) {
          const old = byteAt("before", addr);
          if (v !== undefined && old !== v) {
            cls.push("wk-changed");
            title += old === undefined ? " (new since the start)" : ` was ${old.toString(16).padStart(2, "0")}`;
          }
        }
        const text = v === undefined ? "··" : v.toString(16).padStart(2, "0");
        const ch = v === undefined ? "·" : v >= 32 && v < 127 ? String.fromCharCode(v) : ".";
        hexCells.push(h("span", { class: cls.join(" "), "data-addr": String(addr), title, text }));
        ascCells.push(h("span", { class: cls.join(" "), text: ch }));
      }
      lines.push(
        h(
          "div",
          { class: `wk-line${rowRegion ? ` wk-line-${rowRegion}` : ""}` },
          h("span", { class: "wk-addr", text: hex8(base) }),
          h("span", { class: "wk-hex" }, ...hexCells),
          h("span", { class: "wk-asc" }, ...ascCells),
        ),
      );
    }
    grid.replaceChildren(...lines);
    if (!el.dataset.firstPaintMs && lines.length && !grid.textContent.includes("··")) {
      el.dataset.firstPaintMs = (performance.now() - started).toFixed(1); // first real bytes
    }
    el.dataset.top = String(topRow * WIDTH);
    el.dataset.highlighted = String(highlighted);
  }

  function paintHeader() {
    const n = size();
    const wasmPages = n / 65536;
    title.textContent = n ? say(model, "title", { n, pages: String(wasmPages) }) : say(model, "title_empty");
    legend.replaceChildren();
    for (const r of model.get("regions")) {
      const b = h(
        "button",
        { class: `wk-region wk-r-${r.kind}`, title: say(model, "jump_to", { name: r.name }) },
        `${r.name} 0x${r.start.toString(16)}–0x${r.end.toString(16)}`,
      );
      b.addEventListener("click", () => goto(r.kind === "stack" ? Math.max(r.start, r.end - ROWS * WIDTH) : r.start));
      legend.append(b);
    }
    const hasBefore = model.get("has_before");
    diffBox.checked = model.get("diff");
    diffBox.disabled = !hasBefore;
    const nBytes = model.get("changed_bytes");
    const nPages = model.get("changed_pages").length;
    const what =
      nBytes >= 0
        ? say(model, "bytes_changed", { n: nBytes })
        : say(model, "pages_changed", { n: nPages, kib: String(pageSize() / 1024) });
    diffLabel.lastChild.textContent = hasBefore ? say(model, "diff", { what }) : say(model, "no_diff");
    nextBtn.disabled = !hasBefore || !model.get("changed_pages").length;
    note.textContent = model.get("note");
    const hls = model.get("highlights");
    hl.replaceChildren();
    if (hls.length) {
      hl.append(`${model.get("highlight_label")}: `);
      hls.forEach((m, k) => {
        const jump = h("button", { class: "wk-jump", title: say(model, "show_bytes") });
        jump.textContent = say(model, m.access === "w" ? "wrote" : "read", { n: String(m.len), addr: `0x${m.addr.toString(16)}` });
        jump.addEventListener("click", () => goto(m.addr - (m.addr % WIDTH) - 2 * WIDTH));
        if (k) hl.append(", ");
        hl.append(jump);
      });
    }
  }

  function goto(addr) {
    topRow = Math.floor(Math.max(0, addr) / WIDTH);
    paint();
  }

  let pendingNext = false;
  function nextChange(wrapped = false) {
    const ps = pageSize();
    const here = topRow * WIDTH + ROWS * WIDTH;
    const list = model.get("changed_pages");
    // the next changed byte after the view, searched page by page among the changed pages
    for (const idx of list) {
      if ((idx + 1) * ps <= here) continue;
      const a = pages.get(`after:${idx}`);
      const b = pages.get(`before:${idx}`);
      if (!a || !b) {
        byteAt("after", idx * ps);
        byteAt("before", idx * ps);
        pendingNext = true;
        return;
      }
      for (let k = Math.max(0, here - idx * ps); k < a.length; k++) {
        if (k >= b.length || a[k] !== b[k]) {
          goto(idx * ps + k - (k % WIDTH));
          return;
        }
      }
    }
    if (!wrapped && list.length) {
      topRow = -ROWS; // wrap around to the first change
      nextChange(true);
    }
  }

  function onCustom(msg, buffers) {
    if (!msg || msg.kind !== "page") return;
    const dv = buffers && buffers[0];
    const bytes = dv ? new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength) : new Uint8Array(0);
    pages.set(`${msg.which}:${msg.index}`, bytes.slice());
    if (pendingNext) {
      pendingNext = false;
      nextChange();
    }
    schedule();
  }

  let raf = 0;
  function schedule() {
    if (raf) return;
    raf = requestAnimationFrame(() => {
      raf = 0;
      paint();
    });
  }

  grid.addEventListener(
    "wheel",
    (ev) => {
      ev.preventDefault();
      topRow += Math.sign(ev.deltaY) * Math.max(1, Math.round(Math.abs(ev.deltaY) / 22));
      schedule();
    },
    { passive: false },
  );
  grid.addEventListener("keydown", (ev) => {
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: ROWS, PageUp: -ROWS }[ev.key];
    if (step) {
      ev.preventDefault();
      topRow += step;
      schedule();
    }
  });
  slider.addEventListener("input", () => {
    topRow = Number(slider.value);
    schedule();
  });
  const doGoto = () => {
    const a = parseAddress(gotoBox.value);
    gotoBox.classList.toggle("wk-bad", a === null || a >= size());
    if (a !== null && a < size()) goto(a);
  };
  gotoBtn.addEventListener("click", doGoto);
  gotoBox.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") doGoto();
  });
  diffBox.addEventListener("change", () => {
    model.set("diff", diffBox.checked);
    model.save_changes();
  });
  nextBtn.addEventListener("click", () => nextChange());

  // Other bytes are shown now (a step of the stepper): ask for them afresh. A page answered
  // before this change arrives before it (the kernel answers in order), so none is stale.
  const onGeneration = () => {
    pages.clear();
    asked.clear();
    paintHeader();
    paint();
  };
  const onAddress = () => goto(model.get("address"));
  const onHeader = () => {
    paintHeader();
    paint();
  };
  model.on("msg:custom", onCustom);
  model.on("change:address", onAddress);
  model.on("change:generation", onGeneration);
  for (const name of ["highlights", "highlight_label", "regions", "diff", "changed_pages", "size", "note"]) {
    model.on(`change:${name}`, onHeader);
  }
  topRow = Math.floor(model.get("address") / WIDTH);
  paintHeader();
  paint();

  return () => {
    model.off("msg:custom", onCustom);
    model.off("change:address", onAddress);
    model.off("change:generation", onGeneration);
    for (const name of ["highlights", "highlight_label", "regions", "diff", "changed_pages", "size", "note"]) {
      model.off(`change:${name}`, onHeader);
    }
  };
}

export default { render };
