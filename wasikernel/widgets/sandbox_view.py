"""``SandboxView``: the sandbox boundary as a diagram, and capabilities to toggle and re-run.

The diagram (graphviz, rendered to SVG here; our own layout where ``dot`` is missing) shows
the module, the WASI host and every resource: each preopen, args, env, clocks, random, stdio,
the network. Edges carry call counts; refused calls travel red edges labelled with the reason;
imports refused at link time hang off the module. Given a ``rerun`` callback, toggling a
capability runs the module again under the new sandbox and redraws the boundary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import traitlets as t

from ..messages import t as _t
from ..result import RunResult
from ..sandbox import Sandbox
from ..trace import counted
from . import _html, _model
from ._base import StaticHtmlWidget, browser_module, browser_style
from ._diagram import render_svg

__all__ = ["SandboxView", "capabilities", "apply_grants"]


def capabilities(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The capabilities of ``sandbox`` a learner can take away: ``{"key", "label"}`` each."""
    caps = []
    for i, p in enumerate(sandbox.preopens):
        caps.append({"key": f"preopen:{i}", "label": _t("widget_cap_preopen", path=p.guest_path)})
        caps.append(
            {"key": f"preopen:{i}:write", "label": _t("widget_cap_write", path=p.guest_path)}
        )
    caps.append({"key": "args", "label": _t("widget_cap_args", n=len(sandbox.args))})
    caps.append({"key": "env", "label": _t("widget_cap_env", n=len(sandbox.env))})
    caps.append({"key": "stdin", "label": _t("widget_cap_stdin", n=len(sandbox.stdin))})
    for ip, port in sandbox.network:  # a component's sockets
        shown = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
        caps.append({"key": f"net:{shown}", "label": _t("widget_cap_net", address=shown)})
    if sandbox.dns:
        caps.append({"key": "dns", "label": _t("widget_cap_dns")})
    return caps


def default_grants(sandbox: Sandbox) -> dict[str, bool]:
    """Every capability of ``sandbox`` as it was granted (write: a preopen not read-only)."""
    grants = {}
    for i, p in enumerate(sandbox.preopens):
        grants[f"preopen:{i}"] = True
        grants[f"preopen:{i}:write"] = not p.read_only
    grants.update(args=True, env=True, stdin=True)
    grants.update({c["key"]: True for c in capabilities(sandbox)
                   if c["key"].startswith("net:") or c["key"] == "dns"})  # fmt: skip
    return grants


def apply_grants(base: Sandbox, grants: dict[str, bool]) -> Sandbox:
    """A copy of ``base`` with the capabilities ``grants`` turns off taken away (a missing key
    keeps the base's grant). Write access is only taken away, never added to a read-only
    preopen of the base... unless ``grants`` says so explicitly."""
    preopens = []
    for i, p in enumerate(base.preopens):
        if not grants.get(f"preopen:{i}", True):
            continue
        write = grants.get(f"preopen:{i}:write", not p.read_only)
        preopens.append(dataclasses.replace(p, read_only=not write))
    return dataclasses.replace(
        base,
        preopens=preopens,
        args=list(base.args) if grants.get("args", True) else [],
        env=dict(base.env) if grants.get("env", True) else {},
        stdin=base.stdin if grants.get("stdin", True) else b"",
        network=[(ip, port) for ip, port in base.network
                 if grants.get(f"net:[{ip}]:{port}" if ":" in ip else f"net:{ip}:{port}", True)],
        dns=base.dns and grants.get("dns", True),
    )


class SandboxView(StaticHtmlWidget):
    """The boundary of ``result``'s sandbox as a diagram; ``rerun(sandbox) -> RunResult``
    (optional) lets the learner toggle capabilities and see the new boundary. Given a list of
    runs, one diagram shows them all (:func:`~wasikernel.widgets._model.boundary_of_runs`:
    every refusal of every run, counted), with nothing to re-run.

    ``selected_edge`` is the SVG id of the edge to emphasise (a trace row's edge).
    Raises ``TypeError`` when ``result`` is not a RunResult. The diagram is graphviz's where
    its ``dot`` is installed, our own small layout elsewhere (a browser).
    """

    _esm = browser_module("sandbox.js")
    _words = "sandbox"
    _css = browser_style("sandbox.css")

    svg = t.Unicode("").tag(sync=True)
    caps = t.List().tag(sync=True)
    grants = t.Dict().tag(sync=True)
    can_rerun = t.Bool(False).tag(sync=True)
    busy = t.Bool(False).tag(sync=True)
    status = t.Unicode("").tag(sync=True)
    selected_edge = t.Unicode("").tag(sync=True)
    refusals = t.List().tag(sync=True)  # [{"resource", "call", "count", "reason"}, ...]

    def __init__(
        self,
        result: RunResult | list[RunResult],
        rerun: Callable[[Sandbox], RunResult] | None = None,
        **kwargs: Any,
    ) -> None:
        runs = None
        if isinstance(result, list) and result and all(isinstance(r, RunResult) for r in result):
            runs, result, rerun = result, _model.runs_together(result), None
        if not isinstance(result, RunResult):
            raise TypeError(f"SandboxView needs a RunResult, got {type(result).__name__}")
        self.runs = runs
        self.base_sandbox = result.sandbox
        self.rerun_callback = rerun
        self.on_result: list[Callable[[RunResult], None]] = []
        super().__init__(
            caps=capabilities(result.sandbox),
            grants=default_grants(result.sandbox),
            can_rerun=rerun is not None,
            **kwargs,
        )
        self._show(result)

    def _show(self, result: RunResult) -> None:
        self.result = result
        if self.runs is not None:  # several runs in one diagram: each run's own boundary, added
            self.boundary = _model.boundary_of_runs(self.runs)
        else:
            self.boundary = _model.boundary(result)
        self.svg = render_svg(result, self.boundary)
        refusals = []
        for r in self.boundary.resources.values():
            for call, n in r.refused.items():
                refusals.append({"resource": r.label, "call": call, "count": n,
                                 "reason": r.reasons.get(call, ""), "edge": r.refused_edge_id})
        for i, ev in enumerate(self.boundary.link_refused):
            refusals.append({"resource": _t("widget_at_link_time"), "call": ev.call, "count": 1,
                             "reason": ev.reason or "", "edge": f"edge-link-{i}"})
        self.refusals = refusals

    def edge_of(self, index: int) -> str:
        """The diagram edge (SVG id) trace event ``index`` travelled."""
        return self.boundary.edge_of(index)

    @t.observe("grants")
    def _regrant(self, change: dict) -> None:
        if self.rerun_callback is None or change["old"] == change["new"] or not change["old"]:
            return
        self.rerun(apply_grants(self.base_sandbox, change["new"]))

    def rerun(self, sandbox: Sandbox) -> RunResult | None:
        """Run the module again under ``sandbox`` and show its boundary; returns the new
        result, or ``None`` (with ``status`` saying why) when there is no rerun callback or
        the run raised."""
        if self.rerun_callback is None:
            self.status = _t("widget_rerun_needs_module")
            return None
        self.busy = True
        self.status = _t("widget_rerunning")
        try:
            result = self.rerun_callback(sandbox)
        except Exception as exc:  # the learner's view shows the error; the kernel carries on
            self.status = _t("widget_rerun_failed", error=f"{type(exc).__name__}: {exc}")
            return None
        finally:
            self.busy = False
        self._show(result)
        if result.trap is None:
            ended = _t("kernel_exit", code=result.exit_code)
        else:
            ended = result.trap.text()
        calls, refused = counted(result.trace.events)
        self.status = _t("widget_reran", ended=ended, n=calls, refused=refused)
        for callback in self.on_result:
            callback(result)
        return result

    def to_html(self) -> str:
        """The static HTML form: the diagram as inline SVG and a table of refusals."""
        return _html.sandbox_html(self.result, self.svg, self.boundary)
