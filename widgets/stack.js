// StackView: the trap backtrace and the shadow-stack pointer over the run (a small SVG chart),
// or, for a step-through run, the operand stack, locals, frames and shadow stack at any step with
// first / back / play / step / last controls and a slider over the recorded history; a program
// with source lines steps by line (the source beside, its current line marked), or by instruction.

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

const hex = (n) => `0x${n.toString(16)}`;
const show = (v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));

function chart(model) {
  const pts = model.get("sp_samples");
  const hi = model.get("stack_high");
  const W = 520;
  const H = 120;
  const pad = 30;
  const box = h("div", { class: "wk-chart" });
  if (!pts.length) return box;
  const n = Math.max(1, model.get("events") - 1);
  const depths = pts.map((p) => (hi >= 0 ? hi - p[1] : -p[1]));
  const maxD = Math.max(...depths, 1);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "wk-sp" });
  svg.append(s("line", { x1: pad, y1: H - pad + 10, x2: W - 5, y2: H - pad + 10, class: "wk-axis" }));
  svg.append(s("line", { x1: pad, y1: 5, x2: pad, y2: H - pad + 10, class: "wk-axis" }));
  const x = (i) => pad + ((W - pad - 10) * i) / n;
  const y = (d) => H - pad + 10 - ((H - pad) * d) / maxD;
  const path = pts.map((p, k) => `${k ? "L" : "M"}${x(p[0]).toFixed(1)},${y(depths[k]).toFixed(1)}`).join(" ");
  svg.append(s("path", { d: path, class: "wk-line" }));
  const sel = model.get("selected");
  pts.forEach((p, k) => {
    const c = s("circle", { cx: x(p[0]), cy: y(depths[k]), r: p[0] === sel ? 5 : 3, class: p[0] === sel ? "wk-pt wk-sel" : "wk-pt" });
    const t = document.createElementNS(SVG, "title");
    t.textContent = say(model, "point", { call: p[2], event: String(p[0]), sp: hex(p[1]), depth: String(depths[k]) });
    c.append(t);
    svg.append(c);
  });
  const label = s("text", { x: 2, y: 12, class: "wk-axis-label" });
  label.textContent = `${maxD} B`;
  svg.append(label);
  const xl = s("text", { x: W - 120, y: H - 2, class: "wk-axis-label" });
  xl.textContent = say(model, "axis");
  svg.append(xl);
  box.append(svg);
  return box;
}

function table(headers, rows) {
  const t = h("table", {}, h("thead", {}, h("tr", {}, ...headers.map((x) => h("th", { text: x })))));
  const body = h("tbody");
  for (const r of rows) body.append(h("tr", {}, ...r.map((x) => h("td", { text: x == null ? "" : String(x) }))));
  t.append(body);
  return t;
}

function render({ model, el }) {
  el.classList.add("wk-stack-view");
  let timer = 0;

  function paintEnd() {
    const parts = [h("div", { class: "wk-title", text: say(model, "title") })];
    const mode = model.get("mode");
    parts.push(h("div", { class: mode === "trap" || mode === "limit" ? "wk-ended wk-bad" : "wk-ended", text: model.get("ended") }));
    const frames = model.get("frames");
    if (mode === "trap") {
      if (frames.length) {
        parts.push(
          table(
            ["#", say(model, "col_function"), say(model, "col_offset"), say(model, "col_source")],
            frames.map((f, i) => [i, f.func_name || `func[${f.func_index}]`, f.module_offset == null ? "" : hex(f.module_offset), f.source || ""]),
          ),
        );
      } else parts.push(h("div", { class: "wk-note", text: say(model, "no_backtrace") }));
    }
    const hw = model.get("high_water");
    const hi = model.get("stack_high");
    if (hw >= 0 && hi >= 0) {
      parts.push(h("div", { text: say(model, "deepest", { addr: hex(hw), n: hi - hw, top: hex(hi) }) }));
    }
    parts.push(h("div", { class: "wk-note", text: say(model, "pointer", { source: model.get("sp_source") }) }));
    parts.push(chart(model));
    return parts;
  }

  function paintStepper() {
    const steps = model.get("steps");
    const step = model.get("step");
    const st = model.get("state") || {};
    const lineSteps = model.get("line_steps");
    const byLine = lineSteps > 0 && model.get("by_line");
    const btn = (text, title, fn) => {
      const b = h("button", { class: "wk-btn", title, text });
      b.addEventListener("click", fn);
      return b;
    };
    // by line, the buttons and the slider move over the line steps; else over the instructions
    const count = byLine ? lineSteps : steps;
    const here = byLine ? model.get("line_step") : step;
    const go = (k) => {
      model.set(byLine ? "line_step" : "step", Math.max(0, Math.min(count - 1, k)));
      model.save_changes();
    };
    const tip = (name) => say(model, byLine ? `${name}_line_tip` : `${name}_tip`);
    const playing = model.get("playing");
    const slider = h("input", { type: "range", class: "wk-slider", min: "0", max: String(Math.max(0, count - 1)), value: String(here) });
    slider.addEventListener("input", () => go(Number(slider.value)));
    const where = byLine
      ? say(model, "line_step_of", { step: String(here + 1), steps: lineSteps, file: model.get("filename"), line: String(st.line ?? "") })
      : say(model, "step_of", { step: String(steps ? step + 1 : 0), steps });
    const controls = h(
      "div",
      { class: "wk-controls" },
      btn(say(model, "first"), tip("first"), () => go(0)),
      btn(say(model, "back"), tip("back"), () => go(here - 1)),
      btn(say(model, playing ? "pause" : "play"), say(model, playing ? "pause" : "play_tip"), () => {
        model.set("playing", !playing);
        model.save_changes();
      }),
      btn(say(model, "step"), tip("step"), () => go(here + 1)),
      btn(say(model, "last"), tip("last"), () => go(count - 1)),
      h("span", { class: "wk-step", text: where }),
    );
    if (lineSteps > 0) {
      const box = h("input", { type: "checkbox", class: "wk-by-line" });
      box.checked = byLine;
      box.addEventListener("change", () => {
        model.set("by_line", box.checked);
        model.save_changes();
      });
      controls.append(h("label", { class: "wk-by-line-label", title: say(model, "by_line_tip") }, box, say(model, "by_line")));
    }
    const stack = (st.stack || []).slice().reverse();
    const frames = st.frames || [];
    const panels = h(
      "div",
      { class: "wk-panels" },
      h(
        "div",
        { class: "wk-panel" },
        h("b", { text: say(model, "operands") }),
        stack.length
          ? table(["#", say(model, "col_value")], stack.map((v, i) => [stack.length - 1 - i, show(v)]))
          : h("div", { class: "wk-note", text: say(model, "empty") }),
      ),
      h(
        "div",
        { class: "wk-panel" },
        h("b", { text: say(model, "locals") }),
        (st.locals || []).length
          ? table(["#", say(model, "col_value")], st.locals.map((v, i) => [i, show(v)]))
          : h("div", { class: "wk-note", text: say(model, "no_locals") }),
      ),
      h(
        "div",
        { class: "wk-panel" },
        h("b", { text: say(model, "frames") }),
        frames.length
          ? table(["#", say(model, "col_frame")], frames.map((f, i) => [i, show(f)]))
          : h("div", { class: "wk-note", text: say(model, "no_frames") }),
      ),
    );
    if (st.shadow) {
      const sp = st.shadow.sp;
      const words = st.shadow.words.slice().reverse(); // the top of the stack (high addresses) first
      const shadow = table(
        [say(model, "col_address"), say(model, "col_value"), ""],
        words.map(([addr, value]) => [hex(addr), String(value | 0), addr === sp ? say(model, "sp_here") : ""]),
      );
      shadow.classList.add("wk-shadow");
      panels.append(h("div", { class: "wk-panel" }, h("b", { text: say(model, "shadow", { sp: hex(sp) }) }), shadow));
    }
    const instr = h("div", { class: "wk-instr" }, `${st.func != null ? `${show(st.func)} ` : ""}${st.pc != null ? `@${typeof st.pc === "number" ? hex(st.pc) : show(st.pc)} ` : ""}`, h("code", { text: st.instr == null ? "" : show(st.instr) }));
    const parts = [h("div", { class: "wk-title", text: say(model, "stepper_title") }), controls, slider];
    const source = model.get("source");
    if (lineSteps > 0 && source.length) {
      const list = h("div", { class: "wk-source", role: "list" });
      source.forEach((text, i) => {
        const current = st.line === i + 1;
        list.append(
          h(
            "div",
            { class: `wk-src-line${current ? " wk-current" : ""}`, role: "listitem", "data-line": String(i + 1) },
            h("span", { class: "wk-num", text: String(i + 1) }),
            h("span", { text: text || " " }),
          ),
        );
      });
      parts.push(h("b", { text: say(model, "source") }), list);
      requestAnimationFrame(() => {
        const row = list.querySelector(".wk-current");
        if (row && (row.offsetTop < list.scrollTop || row.offsetTop > list.scrollTop + list.clientHeight - 20)) {
          list.scrollTop = Math.max(0, row.offsetTop - 40);
        }
      });
    }
    parts.push(instr, panels);
    return parts;
  }

  function paint() {
    el.replaceChildren(...(model.get("mode") === "stepper" ? paintStepper() : paintEnd()));
  }

  function onPlaying() {
    clearInterval(timer);
    timer = 0;
    if (model.get("playing")) {
      timer = setInterval(() => {
        const byLine = model.get("line_steps") > 0 && model.get("by_line");
        const name = byLine ? "line_step" : "step";
        const k = model.get(name);
        if (k >= model.get(byLine ? "line_steps" : "steps") - 1) {
          model.set("playing", false);
          model.save_changes();
          return;
        }
        model.set(name, k + 1);
        model.save_changes();
      }, Math.max(30, model.get("interval_ms")));
    }
    paint();
  }

  const names = ["mode", "state", "step", "steps", "frames", "sp_samples", "selected", "ended", "high_water", "line_step", "line_steps", "by_line", "source"];
  for (const n of names) model.on(`change:${n}`, paint);
  model.on("change:playing", onPlaying);
  paint();
  if (model.get("playing")) onPlaying();
  return () => {
    clearInterval(timer);
    for (const n of names) model.off(`change:${n}`, paint);
    model.off("change:playing", onPlaying);
  };
}

export default { render };
