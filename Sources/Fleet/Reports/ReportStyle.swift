/// The stylesheet of fleetsim's report pages, inlined into each page (no external assets): the
/// palette of the run page (GitHub's), with a dark palette under `prefers-color-scheme: dark`,
/// print rules, and tables that scroll sideways on a phone instead of overflowing.
///
/// Pages use the classes `cards`/`card` (`k` key, `v` value, `n` note), `panel`, `scroll`,
/// `num`, `good`/`bad`, `muted`, `note`, `sub`, `id`.
enum ReportStyle {
    static let css = """
        :root { color-scheme: light dark; --fg: #1f2328; --bg: #f6f8fa; --card: #fff; --ok: #1a7f37; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; --warn: #fff8c5; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --card: #161b22; --ok: #3fb950; --bad: #ff7b72; --muted: #9198a1; --line: #30363d; --warn: #2d2a12; } }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; background: var(--bg); }
        main { max-width: 1100px; margin: 0 auto; padding: 24px 16px 48px; }
        h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 10px; }
        .sub, .muted { color: var(--muted); } .sub { margin: 6px 0 18px; overflow-wrap: anywhere; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 12px; }
        .card, .panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
        .card { padding: 12px 14px; } .panel { padding: 14px 16px; } .panel.note { background: var(--warn); margin-bottom: 16px; }
        .card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .card .v { font-size: 22px; font-weight: 600; margin: 2px 0; } .card .n { color: var(--muted); font-size: 12px; }
        .card.good .v, .good { color: var(--ok); } .card.bad .v, .bad { color: var(--bad); }
        .scroll { overflow-x: auto; }
        table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 12px; color: var(--muted); font-weight: 600; } .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; } code.id { white-space: nowrap; }
        @media print { body { background: #fff; color: #000; } .card, .panel { break-inside: avoid; } .scroll { overflow: visible; } }
        """
}
