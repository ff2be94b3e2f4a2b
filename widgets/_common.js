// What every view's browser half shares, placed before each view's own module by the Python
// side (wasikernel/widgets/_base.py, browser_module): one way to build an element, one way to
// say a sentence of the catalogue.

// An element `tag` with `attrs` ("class", "text", "onEVENT" handlers, any other attribute) and
// `children` (nodes or strings; null ones left out).
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
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
