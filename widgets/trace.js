// TraceView: a virtually scrolled table of syscalls. Only the rows on screen exist in the DOM;
// rows arrive from the kernel a block at a time (custom message "rows"), cached per filter
// version. Clicking a row sets `selected`; the kernel fills `detail` with the decoded event.

const ROW_H = 22;
const BLOCK = 100;
const OVERSCAN = 10;

function fmtDur(ns) {
  if (!ns) return "";
  if (ns < 1000) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1000).toFixed(1)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
}

function render({ model, el }) {
  el.classList.add("wk-trace-view");
  const title = h("div", { class: "wk-title" });
  const callSel = h("select", { class: "wk-filter-call", "aria-label": say(model, "filter_call") });
  const fdSel = h("select", { class: "wk-filter-fd", "aria-label": say(model, "filter_fd") });
  const refusedBox = h("input", { type: "checkbox", class: "wk-refused-only" });
  const shownLabel = h("span", { class: "wk-shown" });
  const bar = h(
    "div",
    { class: "wk-bar" },
    h("label", {}, `${say(model, "call")} `, callSel),
    h("label", {}, `${say(model, "fd")} `, fdSel),
    h("label", {}, refusedBox, ` ${say(model, "refused_only")}`),
    shownLabel,
  );
  const head = h(
    "div",
    { class: "wk-row wk-head" },
    h("span", { text: "#" }),
    h("span", { text: say(model, "call") }),
    h("span", { text: say(model, "col_args") }),
    h("span", { text: say(model, "col_results") }),
    h("span", { text: say(model, "col_errno") }),
    h("span", { text: say(model, "col_time") }),
  );
  const spacer = h("div", { class: "wk-spacer" });
  const rowsBox = h("div", { class: "wk-rows" });
  const scroller = h("div", { class: "wk-scroller", tabindex: "0" }, spacer, rowsBox);
  const detail = h("div", { class: "wk-detail" });
  el.append(title, bar, head, scroller, detail);

  let cache = new Map(); // block index -> rows
  let pending = new Set();
  let cacheVersion = model.get("version");

  function fillFilters() {
    const calls = model.get("calls");
    callSel.replaceChildren(h("option", { value: "", text: say(model, "all_calls") }));
    for (const [name, n, refused] of calls) {
      const label = refused ? say(model, "option_refused", { name, n: String(n), refused: String(refused) }) : `${name} (${n})`;
      callSel.append(h("option", { value: name, text: label }));
    }
    callSel.value = model.get("filter_call");
    fdSel.replaceChildren(h("option", { value: "", text: say(model, "any_fd") }));
    for (const fd of model.get("fds")) fdSel.append(h("option", { value: String(fd), text: String(fd) }));
    fdSel.value = model.get("filter_fd");
    refusedBox.checked = model.get("refused_only");
  }

  function updateTitle() {
    const n = model.get("count"); // rows: every event
    const r = model.get("refused");
    const d = model.get("dropped");
    // the same count as the cell's summary: the WASI calls the module made
    const head = say(model, "title", { n: model.get("wasi_calls"), refused: r });
    title.textContent = d ? say(model, "dropped", { text: head, dropped: d }) : head;
    const s = model.get("shown");
    shownLabel.textContent = s === n ? "" : say(model, "shown", { n: s });
    spacer.style.height = `${s * ROW_H}px`;
    // a short trace gets a short table; a long one scrolls inside 15 rows
    scroller.style.height = `${Math.min(15, Math.max(1, s)) * ROW_H + 2}px`;
  }

  function request(block) {
    if (pending.has(block)) return;
    pending.add(block);
    model.send({
      kind: "rows",
      start: block * BLOCK,
      stop: (block + 1) * BLOCK,
      version: cacheVersion,
    });
  }

  function rowEl(r, pos) {
    const cls = ["wk-row"];
    if (r.denied) cls.push("wk-refused");
    if (r.i === model.get("selected")) cls.push("wk-selected");
    const errno = h("span", { class: "wk-errno" }, r.denied ? say(model, "errno_refused", { errno: r.errno }) : r.errno);
    const row = h(
      "div",
      {
        class: cls.join(" "),
        "data-index": String(r.i),
        "data-seq": String(r.seq),
        title: r.reason || "",
        style: `top:${pos * ROW_H}px`,
      },
      h("span", { class: "wk-seq", text: String(r.seq) }),
      h("span", { class: "wk-call", title: r.full_call || r.call, text: r.phase === "run" ? r.call : `${r.call} [${r.phase}]` }),
      h("span", { class: "wk-args", text: r.args }),
      r.denied && r.reason
        ? h("span", { class: "wk-results wk-reason", text: r.reason })
        : h("span", { class: "wk-results", text: r.results }),
      errno,
      h("span", { class: "wk-dur", text: fmtDur(r.dur) }),
    );
    return row;
  }

  function paint() {
    const shown = model.get("shown");
    const top = scroller.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const viewH = scroller.clientHeight || 15 * ROW_H; // not laid out yet: assume the most
    const last = Math.min(shown, Math.ceil((top + viewH) / ROW_H) + OVERSCAN);
    const out = [];
    for (let pos = first; pos < last; pos++) {
      const block = Math.floor(pos / BLOCK);
      const rows = cache.get(block);
      if (!rows) {
        request(block);
        continue;
      }
      const r = rows[pos - block * BLOCK];
      if (r) out.push(rowEl(r, pos));
    }
    rowsBox.replaceChildren(...out);
    el.dataset.rendered = String(out.length);
  }

  function onCustom(msg) {
    if (!msg || msg.kind !== "rows" || msg.version !== cacheVersion) return;
    const block = Math.floor(msg.start / BLOCK);
    cache.set(block, msg.rows);
    pending.delete(block);
    paint();
  }

  function showDetail() {
    const d = model.get("detail");
    if (!d || d.index === undefined) {
      detail.replaceChildren();
      detail.hidden = true;
      return;
    }
    detail.hidden = false;
    const close = h("button", { class: "wk-close", title: say(model, "close"), text: "×" });
    close.addEventListener("click", () => {
      model.set("selected", -1);
      model.save_changes();
    });
    // one value as a learner reads it: its text, and a structure's fields as a small table
    const values = (label, list) => {
      const table = h("table", { class: "wk-values" });
      for (const v of list || []) {
        const cell = h("td", {}, h("code", { text: v.text }));
        if (v.rows) {
          const inner = h("table", { class: "wk-struct" });
          for (const [k, text] of v.rows) inner.append(h("tr", {}, h("td", { text: k }), h("td", {}, h("code", { text }))));
          cell.replaceChildren(inner);
        }
        table.append(h("tr", {}, h("th", { text: v.name }), cell));
      }
      if (!(list || []).length) table.append(h("tr", {}, h("td", { class: "wk-note", text: "—" })));
      return h("div", { class: "wk-kv" }, h("b", { text: label }), table);
    };
    const head = `#${d.seq} ${d.call} → ${d.errno}${d.abi ? ` · abi: ${d.abi}` : ""}`; // the whole call name
    const headText = d.exit_code != null ? say(model, "exit", { head, code: String(d.exit_code) }) : head;
    const parts = [h("div", { class: "wk-detail-head" }, h("span", { text: headText }), close)];
    if (d.denied) {
      parts.push(
        h("div", { class: "wk-reason" }, say(model, "refused_because", { capability: d.capability || say(model, "capability"), reason: d.reason || "" })),
      );
    }
    const view = d.view || { args: [], results: [] };
    parts.push(values(say(model, "col_args"), view.args), values(say(model, "col_results"), view.results));
    if (d.memory && d.memory.length) {
      const mem = d.memory.map((m) => say(model, m.access === "w" ? "wrote" : "read", { n: String(m.len), addr: `0x${m.addr.toString(16)}` }));
      if (d.memory_dropped) mem.splice(mem.length - Math.min(mem.length, 4), 0, say(model, "accesses_dropped", { n: d.memory_dropped }));
      parts.push(h("div", { class: "wk-kv" }, h("b", { text: say(model, "memory") }), h("pre", { text: mem.join("\n") })));
    }
    parts.push(h("div", { class: "wk-note", text: say(model, "timing", { t: String(d.t_ns), took: fmtDur(d.dur_ns) || "0 ns" }) }));
    detail.replaceChildren(...parts);
  }

  function onVersion() {
    cacheVersion = model.get("version");
    cache = new Map();
    pending = new Set();
    updateTitle();
    scroller.scrollTop = 0;
    paint();
  }

  rowsBox.addEventListener("click", (ev) => {
    const row = ev.target.closest(".wk-row");
    if (!row) return;
    const i = Number(row.dataset.index);
    model.set("selected", model.get("selected") === i ? -1 : i);
    model.save_changes();
  });
  callSel.addEventListener("change", () => {
    model.set("filter_call", callSel.value);
    model.save_changes();
  });
  fdSel.addEventListener("change", () => {
    model.set("filter_fd", fdSel.value);
    model.save_changes();
  });
  refusedBox.addEventListener("change", () => {
    model.set("refused_only", refusedBox.checked);
    model.save_changes();
  });
  let raf = 0;
  scroller.addEventListener("scroll", () => {
    if (raf) return;
    raf = requestAnimationFrame(() => {
      raf = 0;
      paint();
    });
  });

  const onSelected = () => {
    paint();
  };
  const onFilters = () => fillFilters();
  model.on("msg:custom", onCustom);
  model.on("change:version", onVersion);
  model.on("change:selected", onSelected);
  model.on("change:detail", showDetail);
  model.on("change:calls", onFilters);
  model.on("change:filter_call", onFilters);
  model.on("change:filter_fd", onFilters);
  model.on("change:refused_only", onFilters);
  model.on("change:shown", updateTitle);

  fillFilters();
  updateTitle();
  showDetail();
  // the scroller has no height until it is in the page; paint again once it is laid out
  const resize = new ResizeObserver(() => paint());
  resize.observe(scroller);
  paint();

  return () => {
    resize.disconnect();
    model.off("msg:custom", onCustom);
    model.off("change:version", onVersion);
    model.off("change:selected", onSelected);
    model.off("change:detail", showDetail);
    model.off("change:calls", onFilters);
    model.off("change:filter_call", onFilters);
    model.off("change:filter_fd", onFilters);
    model.off("change:refused_only", onFilters);
    model.off("change:shown", updateTitle);
  };
}

export default { render };
