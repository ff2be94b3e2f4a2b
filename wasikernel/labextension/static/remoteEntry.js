// wasikernel-cells: a JupyterLab extension written by hand as a module-federation container
// (what `jupyter labextension build` would emit: `_JUPYTERLAB[name] = {init, get}`), so that it
// needs no build step. It takes JupyterLab's own CodeMirror packages from the share scope and
// gives the WebAssembly language (the WASI kernel's `text/webassembly`) a parser that reads a
// cell's first line: `%%python` parses the rest as Python, `%%c` as C, `%%rust` as Rust, and
// any other cell stays WebAssembly text. Without this extension the cells are still WAT.
var _JUPYTERLAB;
(function () {
  "use strict";

  const NAME = "wasikernel-cells";
  // the magic of a cell's first line -> the name of the JupyterLab language that reads the rest
  const MAGICS = { python: "python", c: "C", rust: "Rust", wat: null, wast: null };
  let shareScope = null;

  function newest(versions) {
    const parts = (v) => v.split(/[.+-]/).map((n) => Number(n) || 0);
    return Object.keys(versions).sort((a, b) => {
      const x = parts(a), y = parts(b);
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) - (y[i] || 0);
      }
      return 0;
    }).pop();
  }

  async function shared(name) {
    const versions = shareScope && shareScope[name];
    if (!versions || !Object.keys(versions).length) throw new Error(`${NAME}: JupyterLab shares no ${name}`);
    const factory = await versions[newest(versions)].get();
    return factory();
  }

  function withoutFirstLine(input, eol) {
    // the cell as the inner parser reads it: the magic line blanked (same length, so every
    // position stays where the editor has it), the rest as it is
    const blank = (from, to) => " ".repeat(Math.max(0, Math.min(to, eol) - from));
    return {
      length: input.length,
      lineChunks: input.lineChunks,
      chunk: (pos) => (pos < eol ? blank(pos, eol) : input.chunk(pos)),
      read: (from, to) =>
        from >= eol ? input.read(from, to) : blank(from, to) + (to > eol ? input.read(eol, to) : ""),
    };
  }

  function cellParser(lezer, wat, inner) {
    // the parser of a whole cell: its first line picks the parser of the lines below it
    class CellParser extends lezer.Parser {
      constructor() {
        super();
        this.last = null; // the parser of the previous parse: fragments of another are not reused
      }
      createParse(input, fragments, ranges) {
        const head = input.read(0, Math.min(input.length, 200));
        const magic = /^\s*%%(\w+)/.exec(head);
        const chosen = (magic && inner[magic[1]]) || null;
        const parser = chosen || wat;
        if (parser !== this.last) fragments = [];
        this.last = parser;
        if (!chosen) return parser.createParse(input, fragments, ranges);
        const eol = head.indexOf("\n");
        return parser.createParse(withoutFirstLine(input, eol < 0 ? input.length : eol),
                                  fragments, ranges);
      }
    }
    return new CellParser();
  }

  async function cellLanguage(registry, cm, lezer, watDescription, loadWat) {
    const watSupport = await loadWat();
    const inner = {};
    for (const [magic, name] of Object.entries(MAGICS)) {
      if (!name) continue;
      try {
        const found = await registry.getLanguage(name);
        if (found && found.support) inner[magic] = found.support.language.parser;
      } catch (err) {
        console.warn(`${NAME}: no ${name} highlighting`, err);
      }
    }
    const parser = cellParser(lezer, watSupport.language.parser, inner);
    const language = new cm.Language(cm.defineLanguageFacet(), parser, [], "wasikernel-cell");
    return new cm.LanguageSupport(language, watSupport.support);
  }

  async function extension() {
    const codemirror = await shared("@jupyterlab/codemirror");
    const cm = await shared("@codemirror/language");
    const lezer = await shared("@lezer/common");
    return {
      id: `${NAME}:languages`,
      description: "Highlights %%python, %%c and %%rust cells of the WASI kernel in their language.",
      autoStart: true,
      requires: [codemirror.IEditorLanguageRegistry],
      activate(app, registry) {
        const wat = registry.findByMIME("text/webassembly");
        if (!wat) return;
        const loadWat = typeof wat.loadFunc === "function"
          ? () => wat.loadFunc()
          : () => cm.LanguageDescription.prototype.load.call(wat);
        let loading = null;
        wat.load = () => (loading = loading || cellLanguage(registry, cm, lezer, wat, loadWat));
      },
    };
  }

  _JUPYTERLAB = typeof _JUPYTERLAB === "undefined" ? {} : _JUPYTERLAB;
  _JUPYTERLAB[NAME] = {
    init(scope) {
      shareScope = scope;
    },
    get(module) {
      if (module !== "./extension") {
        return Promise.reject(new Error(`${NAME} has no module ${module}`));
      }
      return extension().then((plugin) => () => ({ __esModule: true, default: plugin }));
    },
  };
})();
