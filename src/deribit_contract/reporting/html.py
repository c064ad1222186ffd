"""The run coverage report as one self-contained HTML page.

The page must open from a CI artifact on any machine, offline, so everything is inline: CSS in
a ``<style>`` element, the chart as inline SVG, no script, no font or image fetched from
anywhere. Every value from the run is HTML-escaped (responses are attacker-controllable text).
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["render_run_html"]

_CSS = """
:root { --ok: #2e7d32; --bad: #c62828; --skip: #9e9e9e; --ink: #1f2933; --line: #d9dee3; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  margin: 0; background: #f5f7f9; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
.sub { color: #52606d; margin: 0 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .n { font-size: 21px; font-weight: 650; overflow-wrap: anywhere; }
.card .l { color: #52606d; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.bad .n { color: var(--bad); } .card.ok .n { color: var(--ok); }
.meter { height: 8px; background: #e4e7eb; border-radius: 4px; overflow: hidden; margin-top: 6px; }
.meter > span { display: block; height: 100%; background: #3e7bfa; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f4; font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafbfc; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; color: #fff; white-space: nowrap; }
.pill.ok { background: var(--ok); } .pill.bad { background: var(--bad); }
.pill.skip { background: var(--skip); }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
details { margin-top: 8px; } summary { cursor: pointer; font-weight: 600; }
.muted { color: #7b8794; }
"""

_ROW_H = 22
_LABEL_W = 230
_BAR_W = 560


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _card(label: str, value: str, cls: str = "", meter: float | None = None) -> str:
    bar = ""
    if meter is not None:
        bar = f'<div class="meter"><span style="width:{max(0.0, min(meter, 1.0)) * 100:.1f}%"></span></div>'
    return f'<div class="card {cls}"><div class="n">{_e(value)}</div><div class="l">{_e(label)}</div>{bar}</div>'


def _chart(invariants: list[dict[str, Any]]) -> str:
    """Horizontal stacked bars per invariant: passed, failed, skipped."""
    top = max((r["passed"] + r["failed"] + r["skipped"] for r in invariants), default=0) or 1
    height = 30 + _ROW_H * len(invariants)
    width = _LABEL_W + _BAR_W + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" font-size="12">',
        "<title>Invariant evaluations per rule: passed, failed, skipped</title>",
    ]
    legend = (("passed", "#2e7d32"), ("failed", "#c62828"), ("skipped", "#9e9e9e"))
    for i, (name, color) in enumerate(legend):
        lx = _LABEL_W + i * 90
        parts.append(f'<rect x="{lx}" y="6" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{lx + 16}" y="16" fill="#1f2933">{name}</text>')
    for i, row in enumerate(invariants):
        y = 28 + i * _ROW_H
        parts.append(
            f'<text x="{_LABEL_W - 8}" y="{y + 14}" text-anchor="end" fill="#1f2933">{_e(row["id"])}</text>'
        )
        x: float = _LABEL_W
        for key, color in (("passed", "#2e7d32"), ("failed", "#c62828"), ("skipped", "#9e9e9e")):
            w = _BAR_W * row[key] / top
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{max(w, 1.5):.1f}" height="{_ROW_H - 6}" '
                    f'fill="{color}"><title>{_e(row["id"])}: {row[key]} {key}</title></rect>'
                )
                x += w
        total = row["passed"] + row["failed"] + row["skipped"]
        label = str(total) if total else "not exercised"
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 14}" fill="#52606d">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _invariant_table(rows: list[dict[str, Any]]) -> str:
    out = [
        "<table><thead><tr><th>invariant</th><th>rule</th><th class=num>passed</th>"
        "<th class=num>failed</th><th class=num>skipped</th><th>status</th></tr></thead><tbody>"
    ]
    for r in rows:
        if r["failed"]:
            pill = '<span class="pill bad">failed</span>'
        elif r["exercised"]:
            pill = '<span class="pill ok">held</span>'
        else:
            pill = '<span class="pill skip">not exercised</span>'
        out.append(
            f"<tr><td><code>{_e(r['id'])}</code></td><td>{_e(r['description'])}</td>"
            f"<td class=num>{r['passed']}</td><td class=num>{r['failed']}</td>"
            f"<td class=num>{r['skipped']}</td><td>{pill}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _failure_table(failures: list[dict[str, Any]]) -> str:
    if not failures:
        return '<p class="muted">No check failed.</p>'
    out = [
        "<table><thead><tr><th>rule</th><th>path</th><th>expected</th><th>actual</th>"
        "<th>test</th></tr></thead><tbody>"
    ]
    for f in failures:
        out.append(
            f"<tr><td><code>{_e(f['rule'])}</code></td><td><code>{_e(f['path'])}</code></td>"
            f"<td>{_e(f['expected'])}</td><td>{_e(f['actual'])}</td><td>{_e(f['test'])}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _field_table(rows: list[dict[str, Any]]) -> str:
    out = [
        "<table><thead><tr><th>where</th><th>path</th><th>schema type</th><th>types seen</th>"
        "<th class=num>present</th></tr></thead><tbody>"
    ]
    for r in rows:
        seen = f"{r['seen']} / {r['parents']}" if r["parents"] else "—"
        types = (
            ", ".join(f"{t} ×{n}" for t, n in r["types"].items())
            or '<span class="muted">never seen</span>'
        )
        out.append(
            f"<tr><td>{_e(r['envelope'])}</td><td><code>{_e(r['path'])}</code></td>"
            f"<td>{_e(r['documented'])}{' (required)' if r['required'] else ''}</td>"
            f"<td>{types if not r['types'] else _e(types)}</td><td class=num>{seen}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _enum_table(rows: list[dict[str, Any]]) -> str:
    out = [
        "<table><thead><tr><th>path</th><th>value</th><th class=num>seen</th></tr></thead><tbody>"
    ]
    for r in rows:
        seen = str(r["seen"]) if r["seen"] else '<span class="muted">0</span>'
        out.append(
            f"<tr><td><code>{_e(r['path'])}</code></td><td><code>{_e(r['value'])}</code></td>"
            f"<td class=num>{seen}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _differences(coverage: dict[str, Any]) -> str:
    items = [
        f"<li><code>{_e(u['path'])}</code> ({_e(u['envelope'])}, seen {u['seen']}×)</li>"
        for u in coverage["undocumented"]
    ]
    items += [
        f"<li>{_e(message)} <span class=muted>×{n}</span></li>"
        for message, n in coverage["differences"].items()
    ]
    if not items:
        return '<p class="muted">None.</p>'
    return "<ul>" + "".join(items) + "</ul>"


def render_run_html(coverage: dict[str, Any]) -> str:
    """The coverage document of :func:`~.coverage.compute_coverage` as a full HTML page."""
    run = coverage["run"]
    fields, enums = coverage["fields"], coverage["enums"]
    invariants = coverage["invariants"]
    failed = run["checks_failed"]
    verdict = "contract held" if failed == 0 else "contract violated"
    field_share = fields["observed"] / fields["total"] if fields["total"] else 0.0
    enum_share = enums["observed"] / enums["total"] if enums["total"] else 0.0
    exercised = coverage["invariants_exercised"]
    cards = "".join(
        [
            _card("verdict", verdict, "bad" if failed else "ok"),
            _card("checks run", str(run["checks_run"])),
            _card("checks failed", str(failed), "bad" if failed else "ok"),
            _card(
                "responses: results / errors",
                f"{run['success_envelopes']} / {run['error_envelopes']}",
            ),
            _card(
                "invariants exercised",
                f"{exercised} / {len(invariants)}",
                meter=exercised / len(invariants) if invariants else 0.0,
            ),
            _card(
                "schema fields seen", f"{fields['observed']} / {fields['total']}", meter=field_share
            ),
            _card("enum values seen", f"{enums['observed']} / {enums['total']}", meter=enum_share),
        ]
    )
    seen_enums = list(enums["rows"])
    body = f"""<main>
<h1>private/close_position — contract run report</h1>
<p class="sub">target <code>{_e(run["target"] or "(unnamed)")}</code> · schema mode <b>{_e(run["mode"])}</b>
· seed {_e(run["seed"] or "—")} · {run["requests"]} request(s), {run["orders"]} order(s),
{run["examples"]} example(s)</p>
<div class="cards">{cards}</div>
<h2>Invariants exercised</h2>
<div class="chart">{_chart(invariants)}</div>
<h2>Invariants</h2>
{_invariant_table(invariants)}
<h2>Failures</h2>
{_failure_table(coverage["failures"])}
<h2>Enum values observed</h2>
{_enum_table(seen_enums)}
<h2>Undocumented fields and other differences</h2>
{_differences(coverage)}
<h2>Schema fields observed</h2>
<details><summary>{fields["observed"]} of {fields["total"]} fields seen (open the table)</summary>
{_field_table(fields["rows"])}
</details>
</main>"""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>close_position contract run report</title>"
        f"<style>{_CSS}</style></head><body>{body}</body></html>\n"
    )
